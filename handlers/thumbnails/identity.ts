// Names derived from an upload: its transaction id and where its thumbnails go.
// Pure and stable: every delivery of one object version derives the same
// names, which is what makes redelivery overwrite instead of duplicate (M11).
import { createHash } from "node:crypto";
// From the sharp-free config module: the canary bundle uses these keys and must not ship libvips.
import { FILE_EXTENSIONS } from "./image/config";
import type { OutputFormat } from "./image/types";

/** What identifies one upload: a version, or (unversioned buckets) the eTag and sequencer of its event. */
export interface UploadIdentity {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
  sequencer?: string;
}

/**
 * sha256 (hex) over bucket, key and version. Unversioned buckets have no
 * version, so the eTag and the event's sequencer stand in: S3 repeats both
 * when it redelivers one event, and a new upload of the same key gets a new
 * sequencer, so it is a new transaction.
 */
export function transactionIdFor(upload: UploadIdentity): string {
  const parts =
    upload.versionId !== undefined
      ? ["v1", upload.bucket, upload.key, "version", upload.versionId]
      : ["v1", upload.bucket, upload.key, "etag", upload.eTag ?? "", "sequencer", upload.sequencer ?? ""];
  // JSON keeps the parts apart whatever characters the key holds.
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** S3 keys are at most 1024 bytes (UTF-8). */
const MAX_KEY_BYTES = 1024;

/**
 * `<folder of the raw key>/<transaction id>/<size>.<ext>`. The folder is kept
 * so prefix-scoped rules still apply to thumbnails (the canary may only touch
 * `canary/`); the transaction id makes the key the same on every delivery.
 * A folder too long to fit is dropped.
 */
export function thumbnailKey(rawKey: string, transactionId: string, name: string, format: OutputFormat): string {
  const slash = rawKey.lastIndexOf("/");
  const folder = slash >= 0 ? rawKey.slice(0, slash + 1) : "";
  const leaf = `${transactionId}/${name}.${FILE_EXTENSIONS[format]}`;
  return Buffer.byteLength(folder + leaf) <= MAX_KEY_BYTES ? folder + leaf : leaf;
}

/** The public URL of a thumbnail: the CloudFront base plus the key, each segment percent-encoded. */
export function thumbnailUrl(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

/** Where the original lives; the raw bucket is private, so this is an s3:// URL, not a link. */
export function originalUrl(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
