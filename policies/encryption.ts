// encryption-at-rest: buckets, queues, log groups and databases are encrypted.
import { stackPolicy, type PolicySpec } from "./support/define";
import { has, list, obj, str } from "./support/props";
import { BUCKET_ENCRYPTION_TYPES, BUCKET_TYPES, T } from "./support/resources";
import { attachedTo } from "./storage";

export const encryptionAtRestSpec: PolicySpec = {
  name: "encryption-at-rest",
  description:
    "Every S3 bucket has a server-side encryption configuration, every SQS queue uses SSE (SQS-managed or KMS), every log group a KMS key, and every database instance encrypted storage.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Add a BucketServerSideEncryptionConfiguration to the bucket; set sqsManagedSseEnabled (or kmsMasterKeyId) on the queue, kmsKeyId on the log group, storageEncrypted on the database instance.",
};

export const encryptionAtRest = stackPolicy(encryptionAtRestSpec, (stack, ctx) => {
  for (const bucket of stack.ofType(...BUCKET_TYPES)) {
    const inline = ctx.inspect(bucket, () => list(obj(bucket.props.serverSideEncryptionConfiguration).rules).length > 0);
    const attached = BUCKET_ENCRYPTION_TYPES.some((t) => attachedTo(stack, bucket, t, ctx).length > 0);
    if (inline === false && !attached) ctx.report(bucket, `${stack.regionLabel(bucket)}: bucket ${bucket.name} has no server-side encryption configuration`);
  }
  for (const queue of stack.ofType(T.queue)) {
    const encrypted = ctx.inspect(queue, () => queue.props.sqsManagedSseEnabled === true || str(queue.props.kmsMasterKeyId) !== undefined);
    if (encrypted === false)
      ctx.report(queue, `${stack.regionLabel(queue)}: queue ${queue.name} is not encrypted (no sqsManagedSseEnabled, no kmsMasterKeyId)`);
  }
  for (const group of stack.ofType(T.logGroup)) {
    // The key ARN may be another resource's output: that it is set is what matters here.
    if (!has(group.props, "kmsKeyId")) ctx.report(group, `${stack.regionLabel(group)}: log group ${group.name} has no kmsKeyId`);
  }
  for (const db of stack.ofType(T.dbInstance)) {
    const encrypted = ctx.inspect(db, () => db.props.storageEncrypted === true);
    if (encrypted === false) ctx.report(db, `${stack.regionLabel(db)}: database ${db.name} does not set storageEncrypted`);
  }
});
