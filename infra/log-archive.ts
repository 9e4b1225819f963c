// The log archive of one jurisdiction: a Firehose stream delivering into an
// encrypted, private S3 bucket in the archive region. Defined once per archive
// region; every region of that jurisdiction ships to it through its own
// CloudWatch Logs destination (see pipeline/logs.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PipelineConfig } from "./config";
import { jurisdictionOf } from "./config";
import { TAGS } from "../contracts";
import { logArchiveName } from "./naming";
import { serviceTrustPolicy } from "./iam-policies";
import { baseTags, nameOf, opts, type RegionContext } from "./pipeline/context";
import { createPrivateBucket, tlsOnlyStatement } from "./pipeline/storage";
import type { BuildManifest } from "../handlers/build-manifest";

export interface CentralLogArchiveArgs {
  cfg: PipelineConfig;
  archiveRegion: string;
  /** Regions whose logs land here. */
  sourceRegions: string[];
  provider: aws.Provider;
  accountId: string;
  partition: string;
  manifest: BuildManifest;
  commit: string;
  distDir: string;
}

export class CentralLogArchive extends pulumi.ComponentResource {
  readonly firehoseArn: pulumi.Output<string>;
  readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: CentralLogArchiveArgs, options?: pulumi.ComponentResourceOptions) {
    super("thumbnail-pipeline:index:CentralLogArchive", name, {}, options);
    const region = args.archiveRegion;
    const ctx: RegionContext = {
      cfg: args.cfg,
      region: { name: region, jurisdiction: jurisdictionOf(region), logArchiveRegion: region },
      provider: args.provider,
      parent: this,
      accountId: args.accountId,
      partition: args.partition,
      manifest: args.manifest,
      commit: args.commit,
      distDir: args.distDir,
    };
    const prefix = logArchiveName(args.cfg, region);
    const bucket = createPrivateBucket(ctx, "log-archive-bucket", `${prefix}-${args.accountId}`, [
      { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
      {
        id: "archive-then-expire",
        status: "Enabled",
        filter: {},
        transitions: [{ days: 30, storageClass: "GLACIER_IR" }],
        expiration: { days: args.cfg.archiveRetentionDays },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      },
    ]);
    // Policies name the bucket by its known ARN so they are readable on a first preview.
    const arn = bucket.knownArn;
    new aws.s3.BucketPolicy(
      nameOf(ctx, "log-archive-bucket-policy"),
      { bucket: bucket.bucket.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(arn)] }) },
      opts(ctx),
    );

    const role = new aws.iam.Role(
      nameOf(ctx, "log-archive-firehose-role"),
      {
        name: `${prefix}-firehose`,
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy("firehose.amazonaws.com")),
        tags: baseTags(ctx, "log-archive-firehose-role"),
      },
      opts(ctx),
    );
    const policy = new aws.iam.RolePolicy(
      nameOf(ctx, "log-archive-firehose-policy"),
      {
        role: role.id,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: arn },
            { Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${arn}/*` },
          ],
        }),
      },
      opts(ctx),
    );
    const stream = new aws.kinesis.FirehoseDeliveryStream(
      nameOf(ctx, "log-archive-stream"),
      {
        name: prefix,
        destination: "extended_s3",
        serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" },
        extendedS3Configuration: {
          roleArn: role.arn,
          bucketArn: bucket.arn,
          bufferingSize: 5,
          bufferingInterval: 300,
          // CloudWatch Logs delivers gzip-compressed batches already.
          compressionFormat: "UNCOMPRESSED",
          prefix: "logs/!{timestamp:yyyy/MM/dd}/",
          errorOutputPrefix: "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
        },
        tags: { ...baseTags(ctx, "log-archive-stream"), [TAGS.logSources]: args.sourceRegions.join(" ") },
      },
      opts(ctx, { dependsOn: [policy] }),
    );
    this.firehoseArn = stream.arn;
    this.bucketName = bucket.name;
    this.registerOutputs({ firehoseArn: this.firehoseArn, bucketName: this.bucketName });
  }
}
