// The S3 side of the handler: read the raw object under a byte cap, write the
// thumbnails. Narrow functions over an S3Client so tests and the local
// pipeline can point them at any S3-compatible endpoint.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** Thumbnail keys never change content (they are per upload version), so caches may keep them forever. */
export const THUMBNAIL_CACHE_CONTROL = "public, max-age=31536000, immutable";

export interface RawObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
}

export type Download =
  | { kind: "ok"; data: Buffer; metadata: Record<string, string> }
  /** Refused at the cap: `readBytes` is how much was read before stopping (0 when ContentLength told us first). */
  | { kind: "too-large"; declaredBytes: number | undefined; readBytes: number; metadata: Record<string, string> };

type Chunks = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void };

function isChunkStream(body: unknown): body is Chunks {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

/**
 * Reads a stream into one buffer, stopping as soon as more than `maxBytes`
 * arrived. With a known length the buffer is allocated once, so a 50 MiB
 * input costs 50 MiB, not twice that while chunks are joined.
 */
export async function readCapped(
  stream: Chunks,
  maxBytes: number,
  expectedBytes?: number,
): Promise<{ ok: true; data: Buffer } | { ok: false; readBytes: number }> {
  const preallocated = expectedBytes !== undefined && expectedBytes <= maxBytes ? Buffer.allocUnsafe(expectedBytes) : undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > maxBytes || (preallocated !== undefined && total > preallocated.length)) {
      // Leaving the loop destroys the stream, which closes the connection: nothing more is downloaded.
      stream.destroy?.();
      return { ok: false, readBytes: total };
    }
    if (preallocated !== undefined) preallocated.set(chunk, total - chunk.length);
    else chunks.push(chunk);
  }
  if (preallocated !== undefined) return { ok: true, data: total === preallocated.length ? preallocated : preallocated.subarray(0, total) };
  return { ok: true, data: Buffer.concat(chunks, total) };
}

/** What identifies an unversioned object: its ETag and Last-Modified (transactionIdFor). */
export interface ObjectStamp {
  eTag: string | undefined;
  lastModified: Date;
}

/**
 * HEADs the object the event announced, If-Match on its eTag, for the stamp
 * its transaction id is made of; an overwrite since reads as gone (412).
 */
export async function headRawObject(s3: S3Client, ref: RawObjectRef): Promise<ObjectStamp> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...(ref.eTag !== undefined ? { IfMatch: `"${ref.eTag}"` } : {}) }));
  if (head.LastModified === undefined) throw new Error(`HeadObject for ${ref.bucket}/${ref.key} returned no Last-Modified`);
  return { eTag: head.ETag?.replace(/^"+|"+$/g, ""), lastModified: head.LastModified };
}

/**
 * GETs the exact version the event announced: by VersionId when the bucket
 * is versioned, else with If-Match on the event's eTag, so an overwrite in
 * between reads as "gone" instead of as someone else's bytes.
 */
export async function downloadRawObject(s3: S3Client, ref: RawObjectRef, maxBytes: number): Promise<Download> {
  const response = await s3.send(
    new GetObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      ...(ref.versionId !== undefined ? { VersionId: ref.versionId } : ref.eTag !== undefined ? { IfMatch: `"${ref.eTag}"` } : {}),
    }),
  );
  const metadata = response.Metadata ?? {};
  const body = response.Body;
  if (!isChunkStream(body)) throw new Error(`GetObject for ${ref.bucket}/${ref.key} returned no readable body`);
  const declared = response.ContentLength;
  if (declared !== undefined && declared > maxBytes) {
    body.destroy?.();
    return { kind: "too-large", declaredBytes: declared, readBytes: 0, metadata };
  }
  const read = await readCapped(body, maxBytes, declared);
  if (!read.ok) return { kind: "too-large", declaredBytes: declared, readBytes: read.readBytes, metadata };
  return { kind: "ok", data: read.data, metadata };
}

export interface ThumbnailObject {
  key: string;
  contentType: string;
  data: Buffer;
}

/** Writes one thumbnail; same key, same bytes on every delivery, so a rewrite is harmless. */
export async function putThumbnail(s3: S3Client, bucket: string, object: ThumbnailObject, metadata: Record<string, string>): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: object.key,
      Body: object.data,
      ContentType: object.contentType,
      ContentLength: object.data.length,
      CacheControl: THUMBNAIL_CACHE_CONTROL,
      Metadata: metadata,
    }),
  );
}
