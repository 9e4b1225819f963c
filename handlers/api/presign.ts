// The presigned POST (browser-form upload) that binds an UploadPlan: S3
// itself then refuses any other key, a size outside the range, another
// Content-Type, another correlation id, or a late upload.
import type { S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost, type PresignedPost } from "@aws-sdk/s3-presigned-post";
import { CORRELATION_ID_METADATA } from "../shared/correlation-id";
import type { UploadPlan } from "./upload-plan";

export const CORRELATION_ID_FIELD = `x-amz-meta-${CORRELATION_ID_METADATA}`;

export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

/** The POST policy's conditions besides bucket and key (which createPresignedPost adds). */
export function policyConditions(plan: UploadPlan): NonNullable<Parameters<typeof createPresignedPost>[1]["Conditions"]> {
  return [
    ["content-length-range", plan.minBytes, plan.maxBytes],
    ["eq", "$Content-Type", plan.contentType],
    ["eq", `$${CORRELATION_ID_FIELD}`, plan.correlationId],
  ];
}

export async function presignUpload(s3: S3Client, plan: UploadPlan): Promise<UploadForm> {
  // The presigner's S3Client type is its own copy of the SDK's; the client is the same at run time.
  const post: PresignedPost = await createPresignedPost(s3 as unknown as Parameters<typeof createPresignedPost>[0], {
    Bucket: plan.bucket,
    Key: plan.key,
    Conditions: policyConditions(plan),
    Fields: { "Content-Type": plan.contentType, [CORRELATION_ID_FIELD]: plan.correlationId },
    Expires: plan.expirySeconds,
  });
  return { url: post.url, fields: post.fields, expiresAt: plan.expiresAt.toISOString() };
}
