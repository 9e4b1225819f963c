// Names derived from an upload: its transaction id and where its thumbnails go.
// Pure and stable: every delivery of one object version derives the same
// names, which is what makes redelivery overwrite instead of duplicate (M11).
// The raw key is data, never a path: thumbnail keys are built from the
// transaction id and a sanitised folder, and every URL segment is encoded.
import { createHash } from "node:crypto";
// From the sharp-free config module: the canary bundle uses these keys and must not ship libvips.
import { FILE_EXTENSIONS } from "./image/config";
import type { OutputFormat } from "./image/types";

/**
 * What identifies one upload. Versioned buckets: the version. Unversioned:
 * the object's ETag and Last-Modified, read from the object itself, so an S3
 * notification, a reprocess event and a redriven dead letter of one upload
 * all name the same transaction, whatever else their events carry.
 */
export interface UploadIdentity {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
  /** The object's Last-Modified (HEAD, GET or a listing); whole seconds count, as HTTP dates carry no more. */
  lastModified?: Date;
}

/** The object of an unversioned event was gone before it could be read: no Last-Modified to be had. */
export type GoneUpload = Omit<UploadIdentity, "versionId" | "lastModified">;

function digest(parts: unknown[]): string {
  // JSON keeps the parts apart whatever characters the key holds.
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/**
 * sha256 (hex) over bucket, key and version; without a version, over bucket,
 * key, ETag and Last-Modified (whole seconds). A new upload of the same key
 * gets a new Last-Modified and so a new transaction.
 */
export function transactionIdFor(upload: UploadIdentity): string {
  if (upload.versionId !== undefined) return digest(["v1", upload.bucket, upload.key, "version", upload.versionId]);
  if (upload.lastModified === undefined) throw new Error(`the transaction id of unversioned ${upload.bucket}/${upload.key} needs its Last-Modified`);
  return digest(["v2", upload.bucket, upload.key, "etag", upload.eTag ?? "", "last-modified", Math.floor(upload.lastModified.getTime() / 1000)]);
}

/** The id of an unversioned upload whose object was gone when its event was handled. */
export function goneTransactionIdFor(upload: GoneUpload): string {
  return digest(["v2", upload.bucket, upload.key, "etag", upload.eTag ?? "", "gone"]);
}

/** S3 keys are at most 1024 bytes (UTF-8). */
const MAX_KEY_BYTES = 1024;
/** Folder segments copied into thumbnail keys: plain names only, never `.`/`..`, an empty one or anything to escape. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;
/** Room for a folder in a thumbnail key; the transaction id and size name follow it. */
const MAX_FOLDER_BYTES = 512;

/**
 * The leading folders of the raw key that are plain names (letters, digits,
 * `.`, `_`, `-`, not starting with a dot), up to the first that is not. Kept
 * so prefix-scoped rules still apply to thumbnails (the canary may only touch
 * `canary/`); everything after an odd segment is dropped, so nothing the key
 * holds can move a thumbnail elsewhere.
 */
export function safeFolder(rawKey: string): string {
  const segments = rawKey.split("/").slice(0, -1);
  let folder = "";
  for (const segment of segments) {
    if (!SAFE_SEGMENT.test(segment) || folder.length + segment.length + 1 > MAX_FOLDER_BYTES) break;
    folder += `${segment}/`;
  }
  return folder;
}

/**
 * `<safe folder>/<transaction id>/<size>.<ext>`: the transaction id makes
 * the key the same on every delivery of the upload and unique to it.
 */
export function thumbnailKey(rawKey: string, transactionId: string, name: string, format: OutputFormat): string {
  const key = `${safeFolder(rawKey)}${transactionId}/${name}.${FILE_EXTENSIONS[format]}`;
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new Error(`thumbnail key for ${transactionId} is longer than S3 allows`);
  return key;
}

/** Percent-encodes one path segment; `.` and `..` too, which URL parsers would otherwise resolve. */
function encodeSegment(segment: string): string {
  if (segment === "." || segment === "..") return segment.replace(/\./g, "%2E");
  return encodeURIComponent(segment);
}

/** The public URL of a thumbnail: the CloudFront base plus the key, each segment percent-encoded. */
export function thumbnailUrl(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${key.split("/").map(encodeSegment).join("/")}`;
}

/**
 * Where the original lives, for people: an s3:// URI with every key segment
 * percent-encoded (decode each segment for the key). The raw bucket is
 * private; the row's raw_bucket and raw_key hold the exact address.
 */
export function originalUrl(bucket: string, key: string): string {
  return `s3://${bucket}/${key.split("/").map(encodeSegment).join("/")}`;
}
