// The one shape a correlation id may have, from the API that mints or accepts
// it to the thumbnails function that reads it back from object metadata (M14).
// Kept to characters that are safe in S3 metadata, log fields and URLs.
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The S3 user-metadata name the id travels under (x-amz-meta-correlation-id on the wire). */
export const CORRELATION_ID_METADATA = "correlation-id";

export function isCorrelationId(value: unknown): value is string {
  return typeof value === "string" && CORRELATION_ID_PATTERN.test(value);
}
