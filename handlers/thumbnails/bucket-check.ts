// Which bucket an event is about decides whether the function acts on it.
// Pure. Only the raw bucket's uploads become rows. Another bucket's event is
// someone else's wiring: acknowledged, logged and counted. The thumbnails
// bucket's own event is the classic recursive loop (each thumbnail written
// would announce itself): a wiring error of this deployment, refused loudly
// and never processed.
import type { ThumbnailHandlerConfig } from "./config";

export type BucketVerdict = "raw" | "thumbnails" | "foreign";

export function classifyBucket(bucket: string, config: Pick<ThumbnailHandlerConfig, "rawBucket" | "thumbnailsBucket">): BucketVerdict {
  if (bucket === config.rawBucket) return "raw";
  if (bucket === config.thumbnailsBucket) return "thumbnails";
  return "foreign";
}

/** `reason` of ImagesFailed for an event the function must not act on. */
export const FOREIGN_BUCKET_REASON = "foreign-bucket";
export const WIRING_ERROR_REASON = "wiring-error";
