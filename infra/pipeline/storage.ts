// The raw bucket (private, versioned, encrypted, TLS-only, access-logged) and
// the thumbnails bucket (private too, read publicly only through CloudFront
// with origin access control), and the access-logs bucket of the region that
// receives the raw bucket's S3 access logs and the CDN's standard logs.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketArn } from "../arns";
import { CANARY_PREFIX, resourcePrefix } from "../naming";
import { baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";

export interface PrivateBucket {
  bucket: aws.s3.Bucket;
  name: pulumi.Output<string>;
  /** The bucket's `arn` output: unknown until it exists, and carries the dependency on it. */
  arn: pulumi.Output<string>;
  /** The same ARN built from the physical name: known at preview, for policy documents. */
  knownArn: string;
}

/**
 * A bucket with all four public-access blocks, SSE, versioning, owner-enforced
 * objects and lifecycle rules. `objectOwnership` "BucketOwnerPreferred" keeps
 * ACLs usable, which CloudFront's standard logs need in the bucket they go to.
 */
export function createPrivateBucket(
  ctx: RegionContext,
  role: string,
  physicalName: string,
  lifecycle: aws.types.input.s3.BucketLifecycleConfigurationRule[],
  objectOwnership: "BucketOwnerEnforced" | "BucketOwnerPreferred" = "BucketOwnerEnforced",
): PrivateBucket {
  const bucket = new aws.s3.Bucket(nameOf(ctx, role), { bucket: physicalName, forceDestroy: false, tags: baseTags(ctx, role) }, opts(ctx));
  new aws.s3.BucketPublicAccessBlock(
    nameOf(ctx, `${role}-public-access`),
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts(ctx),
  );
  new aws.s3.BucketOwnershipControls(nameOf(ctx, `${role}-ownership`), { bucket: bucket.id, rule: { objectOwnership } }, opts(ctx));
  new aws.s3.BucketServerSideEncryptionConfiguration(
    nameOf(ctx, `${role}-encryption`),
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
    opts(ctx),
  );
  new aws.s3.BucketVersioning(nameOf(ctx, `${role}-versioning`), { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts(ctx));
  new aws.s3.BucketLifecycleConfiguration(nameOf(ctx, `${role}-lifecycle`), { bucket: bucket.id, rules: lifecycle }, opts(ctx));
  return { bucket, name: bucket.bucket, arn: bucket.arn, knownArn: bucketArn(ctx.partition, physicalName) };
}

export function tlsOnlyStatement(bucketArn: string): Record<string, unknown> {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

function commonLifecycle(noncurrentDays: number): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
    { id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays } },
    // Canary objects are deleted by the canary; this catches the ones a failed run left behind.
    { id: "expire-canary-leftovers", status: "Enabled", filter: { prefix: CANARY_PREFIX }, expiration: { days: 1 } },
  ];
}

interface Buckets {
  raw: PrivateBucket;
  thumbnails: PrivateBucket;
  accessLogs: PrivateBucket;
  cdnDomain: pulumi.Output<string>;
}

export interface StorageArgs {
  ctx: RegionContext;
}

/** The region's buckets and the CDN in front of the thumbnails. */
export class Storage extends pulumi.ComponentResource {
  readonly raw: PrivateBucket;
  readonly thumbnails: PrivateBucket;
  readonly accessLogs: PrivateBucket;
  readonly cdnDomain: pulumi.Output<string>;

  constructor(name: string, args: StorageArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Storage"), name, {}, options);
    const built = createStorage(within(args.ctx, this));
    this.raw = built.raw;
    this.thumbnails = built.thumbnails;
    this.accessLogs = built.accessLogs;
    this.cdnDomain = built.cdnDomain;
    this.registerOutputs({
      rawBucket: this.raw.name,
      thumbnailsBucket: this.thumbnails.name,
      accessLogsBucket: this.accessLogs.name,
      cdnDomain: this.cdnDomain,
    });
  }
}

/** Key prefixes of the access-logs bucket: S3 server access logs of the raw bucket, and the CDN's standard logs. */
export const RAW_ACCESS_LOG_PREFIX = "s3/raw/";
export const CDN_LOG_PREFIX = "cdn/";

/**
 * The region's access-logs bucket: who read or wrote an original, and what the
 * CDN served, kept as long as the log archive keeps logs. S3 server access logs
 * arrive by bucket policy (logging.s3.amazonaws.com, from the raw bucket only);
 * CloudFront's standard logs by ACL, so its ownership keeps ACLs usable. SSE-S3,
 * the only encryption S3 server access logging delivers to.
 */
function createAccessLogsBucket(ctx: RegionContext, prefix: string, raw: PrivateBucket): PrivateBucket {
  const logs = createPrivateBucket(
    ctx,
    "access-logs-bucket",
    `${prefix}-access-logs-${ctx.accountId}`,
    [
      { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
      {
        id: "expire-access-logs",
        status: "Enabled",
        filter: {},
        expiration: { days: ctx.cfg.archiveRetentionDays },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      },
    ],
    "BucketOwnerPreferred",
  );
  new aws.s3.BucketPolicy(
    nameOf(ctx, "access-logs-bucket-policy"),
    {
      bucket: logs.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          tlsOnlyStatement(logs.knownArn),
          {
            Sid: "S3ServerAccessLogsOfTheRawBucket",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${logs.knownArn}/${RAW_ACCESS_LOG_PREFIX}*`,
            Condition: { ArnLike: { "aws:SourceArn": raw.knownArn }, StringEquals: { "aws:SourceAccount": ctx.accountId } },
          },
        ],
      }),
    },
    opts(ctx),
  );
  new aws.s3.BucketLogging(
    nameOf(ctx, "raw-bucket-access-logging"),
    { bucket: raw.bucket.id, targetBucket: logs.bucket.id, targetPrefix: RAW_ACCESS_LOG_PREFIX },
    opts(ctx),
  );
  return logs;
}

function createStorage(ctx: RegionContext): Buckets {
  const prefix = resourcePrefix(ctx.cfg, ctx.region.name);
  const raw = createPrivateBucket(ctx, "raw-bucket", `${prefix}-raw-${ctx.accountId}`, commonLifecycle(ctx.cfg.rawRetentionDays));
  const thumbnails = createPrivateBucket(ctx, "thumbnails-bucket", `${prefix}-thumbnails-${ctx.accountId}`, commonLifecycle(30));
  const accessLogs = createAccessLogsBucket(ctx, prefix, raw);

  new aws.s3.BucketPolicy(
    nameOf(ctx, "raw-bucket-policy"),
    { bucket: raw.bucket.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(raw.knownArn)] }) },
    opts(ctx),
  );

  const oac = new aws.cloudfront.OriginAccessControl(
    nameOf(ctx, "cdn-origin-access"),
    {
      name: `${prefix}-thumbnails`,
      description: "CloudFront reads the thumbnails bucket",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    },
    opts(ctx),
  );
  const originId = "thumbnails";
  const distribution = new aws.cloudfront.Distribution(
    nameOf(ctx, "cdn"),
    {
      enabled: true,
      comment: `${prefix} thumbnails`,
      httpVersion: "http2and3",
      priceClass: "PriceClass_100",
      origins: [{ originId, domainName: thumbnails.bucket.bucketRegionalDomainName, originAccessControlId: oac.id }],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        // AWS managed "CachingOptimized" policy.
        cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
      loggingConfig: { bucket: accessLogs.bucket.bucketDomainName, prefix: CDN_LOG_PREFIX, includeCookies: false },
      tags: baseTags(ctx, "cdn"),
    },
    opts(ctx),
  );

  new aws.s3.BucketPolicy(
    nameOf(ctx, "thumbnails-bucket-policy"),
    {
      bucket: thumbnails.bucket.id,
      policy: pulumi.all([thumbnails.arn, distribution.arn]).apply(([arn, distArn]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            tlsOnlyStatement(arn),
            {
              Sid: "CloudFrontReadsThumbnails",
              Effect: "Allow",
              Principal: { Service: "cloudfront.amazonaws.com" },
              Action: "s3:GetObject",
              Resource: `${arn}/*`,
              Condition: { StringEquals: { "AWS:SourceArn": distArn } },
            },
          ],
        }),
      ),
    },
    opts(ctx),
  );

  return { raw, thumbnails, accessLogs, cdnDomain: distribution.domainName };
}
