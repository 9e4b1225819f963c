// raw-bucket-private: uploads are private. The raw bucket blocks every form
// of public access and no bucket policy or ACL opens it.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { isObject, json, str, tagsOf } from "./support/props";
import { BUCKET_TYPES, T, regionOf, roleOf, type StackIndex } from "./support/resources";

export const rawBucketPrivateSpec: PolicySpec = {
  name: "raw-bucket-private",
  description:
    "The raw upload bucket of every region has a public access block with all four settings on, no public ACL, and no bucket policy statement allowing anyone (Principal \"*\").",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Add a BucketPublicAccessBlock for the raw bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true; remove public ACLs and Allow statements for Principal \"*\".",
};

const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** Resources that configure a bucket: they name it in their `bucket` property. */
export function attachedTo(stack: StackIndex, bucket: PolicyResource, type: string, ctx: CheckContext): PolicyResource[] {
  const name = ctx.inspect(bucket, () => str(bucket.props.bucket));
  return stack.ofType(type).filter((r) => stack.refersTo(r, "bucket", bucket, () => name !== undefined && ctx.inspect(r, () => str(r.props.bucket)) === name));
}

export function isRawBucket(bucket: PolicyResource): boolean {
  return roleOf(bucket) === "raw-bucket" || str(tagsOf(bucket)["pipeline:role"]) === "raw-bucket";
}

function allowsEveryone(statement: unknown): boolean {
  if (!isObject(statement) || statement.Effect !== "Allow") return false;
  const p = statement.Principal;
  return p === "*" || (isObject(p) && ([] as unknown[]).concat(p.AWS ?? []).includes("*"));
}

export const rawBucketPrivate = stackPolicy(rawBucketPrivateSpec, (stack, ctx) => {
  for (const bucket of stack.ofType(...BUCKET_TYPES)) {
    if (ctx.inspect(bucket, () => isRawBucket(bucket)) !== true) continue;
    const region = regionOf(bucket) ?? "(global)";
    const blocks = attachedTo(stack, bucket, T.publicAccessBlock, ctx);
    if (blocks.length === 0) ctx.report(bucket, `${region}: raw bucket ${bucket.name} has no public access block`);
    for (const block of blocks) {
      const off = ctx.inspect(block, () => BLOCK_SETTINGS.filter((k) => block.props[k] !== true));
      if (off && off.length > 0) ctx.report(block, `${region}: raw bucket ${bucket.name}'s public access block leaves ${off.join(", ")} off`);
    }
    const acl = ctx.inspect(bucket, () => str(bucket.props.acl));
    if (acl && acl.startsWith("public")) ctx.report(bucket, `${region}: raw bucket ${bucket.name} has the public ACL ${acl}`);
    for (const a of attachedTo(stack, bucket, T.bucketAcl, ctx)) {
      const grant = ctx.inspect(a, () => str(a.props.acl));
      if (grant && grant.startsWith("public")) ctx.report(a, `${region}: raw bucket ${bucket.name} has the public ACL ${grant}`);
    }
    for (const policy of attachedTo(stack, bucket, T.bucketPolicy, ctx)) {
      const open = ctx.inspect(policy, () => {
        const doc = json(policy.props.policy);
        const statements = isObject(doc) ? ([] as unknown[]).concat(doc.Statement ?? []) : [];
        return statements.some(allowsEveryone);
      });
      if (open) ctx.report(policy, `${region}: raw bucket ${bucket.name}'s policy allows Principal "*"`);
    }
  }
});
