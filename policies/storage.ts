// Buckets. private-buckets: a bucket is private unless the pack config
// declares it public; nothing makes an undeclared bucket readable, neither an
// ACL, nor a bucket policy, nor a CloudFront origin serving it (the way a
// bucket of originals becomes public without a single public setting).
// access-logging: buckets holding originals (those whose new objects start
// work: they notify a function, queue or topic) keep S3 access logs, and every
// CloudFront distribution logs its requests.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { globMatch } from "./support/iam-statements";
import { has, isObject, json, list, obj, str } from "./support/props";
import { BUCKET_ACL_TYPES, BUCKET_LOGGING_TYPES, BUCKET_TYPES, T, describe, type StackIndex } from "./support/resources";
import { readIfKnown } from "./support/runtime";

/** Resources that configure a bucket: they name it in their `bucket` property. */
export function attachedTo(stack: StackIndex, bucket: PolicyResource, type: string, ctx: CheckContext): PolicyResource[] {
  const name = ctx.inspect(bucket, () => str(bucket.props.bucket));
  return stack.ofType(type).filter((r) => stack.refersTo(r, "bucket", bucket, () => name !== undefined && ctx.inspect(r, () => str(r.props.bucket)) === name));
}

export interface PublicBucket {
  /** Glob over the bucket's name, its logical name or its URN. */
  bucket: string;
  reason: string;
}

export interface PrivateBucketsConfig {
  publicBuckets?: PublicBucket[];
}

export const privateBucketsSpec: PolicySpec = {
  name: "private-buckets",
  description:
    "Every S3 bucket not declared public in the pack config blocks all four kinds of public access, has no public ACL, no bucket policy letting anyone or CloudFront read it, and is no CloudFront origin.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true; remove public ACLs and Allow statements for everyone; serve only a bucket meant to be public through CloudFront, and declare it in the pack config (private-buckets.publicBuckets) with the reason.",
  config: {
    publicBuckets: {
      type: "array",
      description: "Buckets meant to be readable by anyone (directly or through CloudFront): { bucket: glob over name, logical name or URN, reason }.",
      items: {
        type: "object",
        required: ["bucket", "reason"],
        additionalProperties: false,
        properties: { bucket: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 1 } },
      },
    },
  },
};

const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PUBLIC_GRANTEES = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

function principals(statement: Record<string, unknown>): { everyone: boolean; cloudFront: boolean } {
  const p = statement.Principal;
  const aws = isObject(p) ? ([] as unknown[]).concat(p.AWS ?? []).map(String) : [];
  const service = isObject(p) ? ([] as unknown[]).concat(p.Service ?? []).map(String) : [];
  return {
    everyone: p === "*" || aws.includes("*"),
    cloudFront: service.includes("cloudfront.amazonaws.com") || aws.some((a) => /cloudfront:user\/CloudFront Origin Access Identity/.test(a)),
  };
}

function statementsOf(doc: unknown): Record<string, unknown>[] {
  return isObject(doc) ? ([] as unknown[]).concat(doc.Statement ?? []).filter(isObject) : [];
}

/** The distributions whose origins are this bucket: by dependency of `origins`, or by its S3 domain name. */
function servingDistributions(stack: StackIndex, bucket: PolicyResource, ctx: CheckContext): PolicyResource[] {
  const name = readIfKnown(() => str(bucket.props.bucket));
  return stack.ofType(T.distribution).filter((d) => {
    // Origins computed from the stack's buckets say which by their dependencies, known even while domain names are not.
    const buckets = stack.dependenciesOf(d, "origins").filter((x) => BUCKET_TYPES.includes(x.type));
    if (buckets.length > 0) return buckets.some((x) => x.urn === bucket.urn);
    if (!name.known || name.value === undefined) return false;
    const domains = ctx.inspect(d, () => list(d.props.origins).map((o) => str(obj(o).domainName) ?? "")) ?? [];
    return domains.some((dn) => dn.startsWith(`${name.value}.s3.`) || dn.startsWith(`${name.value}.s3-`));
  });
}

function declaredPublic(bucket: PolicyResource, config: PrivateBucketsConfig): PublicBucket | undefined {
  const name = readIfKnown(() => str(bucket.props.bucket));
  return (config.publicBuckets ?? []).find((p) =>
    [bucket.name, bucket.urn, name.known ? name.value : undefined].some((v) => v !== undefined && globMatch(p.bucket, v)),
  );
}

export const privateBuckets = stackPolicy<PrivateBucketsConfig>(privateBucketsSpec, (stack, ctx, config) => {
  for (const bucket of stack.ofType(...BUCKET_TYPES)) {
    if (declaredPublic(bucket, config)) continue;
    const region = stack.regionLabel(bucket);
    const label = `bucket ${bucket.name}`;
    const blocks = attachedTo(stack, bucket, T.publicAccessBlock, ctx);
    if (blocks.length === 0) ctx.report(bucket, `${region}: ${label} has no public access block`);
    for (const block of blocks) {
      const off = ctx.inspect(block, () => BLOCK_SETTINGS.filter((k) => block.props[k] !== true));
      if (off && off.length > 0) ctx.report(block, `${region}: ${label}'s public access block leaves ${off.join(", ")} off`);
    }
    const acl = ctx.inspect(bucket, () => str(bucket.props.acl));
    if (acl?.startsWith("public") || acl === "authenticated-read") ctx.report(bucket, `${region}: ${label} has the public ACL ${acl}`);
    for (const a of BUCKET_ACL_TYPES.flatMap((t) => attachedTo(stack, bucket, t, ctx))) {
      const grant = ctx.inspect(a, () => ({
        acl: str(a.props.acl),
        grantees: list(obj(a.props.accessControlPolicy).grants).map((g) => str(obj(obj(g).grantee).uri) ?? ""),
      }));
      if (!grant) continue;
      if (grant.acl?.startsWith("public") || grant.acl === "authenticated-read") ctx.report(a, `${region}: ${label} has the public ACL ${grant.acl}`);
      if (grant.grantees.some((g) => PUBLIC_GRANTEES.includes(g)))
        ctx.report(a, `${region}: ${label}'s ACL grants access to ${grant.grantees.filter((g) => PUBLIC_GRANTEES.includes(g)).join(", ")}`);
    }
    const documents = [
      ...attachedTo(stack, bucket, T.bucketPolicy, ctx).map((p) => ({ holder: p, read: () => json(p.props.policy) })),
      ...(has(bucket.props, "policy") ? [{ holder: bucket, read: () => json(bucket.props.policy) }] : []),
    ];
    for (const { holder, read } of documents) {
      const allows = ctx.inspect(holder, () =>
        statementsOf(read())
          .filter((s) => s.Effect === "Allow")
          .map(principals),
      );
      if (allows?.some((p) => p.everyone)) ctx.report(holder, `${region}: ${label}'s policy allows everyone (Principal "*")`);
      if (allows?.some((p) => p.cloudFront))
        ctx.report(
          holder,
          `${region}: ${label}'s policy lets CloudFront read it, which makes its objects public through a distribution; declare the bucket public if it is meant to be`,
        );
    }
    for (const d of servingDistributions(stack, bucket, ctx)) {
      ctx.report(
        d,
        `${region}: ${describe(d)} serves ${label} to anyone on the internet, but the bucket is not declared public (private-buckets.publicBuckets)`,
      );
    }
  }
});

export const accessLoggingSpec: PolicySpec = {
  name: "access-logging",
  description:
    "Every bucket holding originals (its new objects notify a function, queue or topic) writes S3 server access logs to another bucket, and every CloudFront distribution logs its requests.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Add a BucketLogging for the bucket with a targetBucket that is not the bucket itself; set the distribution's loggingConfig (standard logs to a bucket) or deliver its access logs with a CloudWatch LogDeliverySource.",
};

export const accessLogging = stackPolicy(accessLoggingSpec, (stack, ctx) => {
  const notified = stack.ofType(T.bucketNotification);
  for (const bucket of stack.ofType(...BUCKET_TYPES)) {
    const name = readIfKnown(() => str(bucket.props.bucket));
    const holdsOriginals = notified.some((n) =>
      stack.refersTo(n, "bucket", bucket, () => {
        const target = readIfKnown(() => str(n.props.bucket));
        return name.known && target.known && target.value !== undefined && target.value === name.value;
      }),
    );
    if (!holdsOriginals) continue;
    const region = stack.regionLabel(bucket);
    const logging = BUCKET_LOGGING_TYPES.flatMap((t) => attachedTo(stack, bucket, t, ctx));
    const inline = ctx.inspect(bucket, () => list(bucket.props.loggings).length > 0 || has(bucket.props, "logging"));
    if (logging.length === 0 && !inline) {
      ctx.report(
        bucket,
        `${region}: bucket ${bucket.name} holds originals (its notifications start work) but keeps no S3 access logs, so who read or wrote an original cannot be told afterwards`,
      );
      continue;
    }
    for (const l of logging) {
      if (stack.dependenciesOf(l, "targetBucket").some((d) => d.urn === bucket.urn))
        ctx.report(l, `${region}: bucket ${bucket.name} writes its access logs into itself, which logs the log writes without end; use another bucket`);
    }
  }
  const sources = stack.ofType(T.logDeliverySource);
  for (const d of stack.ofType(T.distribution)) {
    const legacy = ctx.inspect(d, () => has(obj(d.props.loggingConfig), "bucket"));
    const delivered = sources.some((s) => stack.dependenciesOf(s, "resourceArn").some((x) => x.urn === d.urn));
    if (legacy === false && !delivered)
      ctx.report(
        d,
        `${stack.regionLabel(d)}: ${describe(d)} logs no requests (no loggingConfig, no log delivery source), so what it served cannot be told afterwards`,
      );
  }
});
