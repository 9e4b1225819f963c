// What one upload is bound to, decided before anything is signed or stored:
// the key (server-chosen, under the upload prefix, named by the image id),
// the accepted sizes, the content type, the correlation id and the expiry.
// Pure, so the binding rules are tested without S3.
import { createHash } from "node:crypto";
import type { ApiConfig } from "./config";
import type { UploadRequest } from "./upload-request";

export interface UploadPlan {
  imageId: string;
  correlationId: string;
  bucket: string;
  key: string;
  contentType: string;
  /** content-length-range: the file must be minBytes..maxBytes. */
  minBytes: number;
  maxBytes: number;
  expiresAt: Date;
  expirySeconds: number;
}

/** The key an image id's upload is bound to; also how its row is found (images.raw_key). */
export function uploadKey(prefix: string, imageId: string): string {
  return `${prefix}${imageId}`;
}

export function planUpload(request: UploadRequest, config: ApiConfig, ids: { imageId: string; mintedCorrelationId: string }, now: Date): UploadPlan {
  return {
    imageId: ids.imageId,
    correlationId: request.correlationId ?? ids.mintedCorrelationId,
    bucket: config.rawBucket,
    key: uploadKey(config.uploadPrefix, ids.imageId),
    contentType: request.contentType,
    minBytes: 1,
    maxBytes: Math.min(request.bytes ?? config.maxInputBytes, config.maxInputBytes),
    // Whole seconds: S3 policy expirations are compared at that precision.
    expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + config.expirySeconds * 1000),
    expirySeconds: config.expirySeconds,
  };
}

/** Tells a retry of one request from a different request under the same Idempotency-Key. */
export function requestHash(request: UploadRequest): string {
  return createHash("sha256")
    .update(JSON.stringify([request.contentType, request.bytes ?? null, request.correlationId ?? null]))
    .digest("hex");
}
