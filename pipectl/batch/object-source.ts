// The raw objects a reprocess run covers, in a stable order so a checkpoint
// can say "everything up to here is done": a ListObjectsV2 walk (S3 lists keys
// in UTF-8 binary order; a resumed walk starts after the checkpoint key) or
// the lines of a key file.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { unquoteETag, type S3ObjectRef } from "../../local/s3-event";
import type { Checkpoint } from "./run-store";

export interface SourcedObject {
  ref: S3ObjectRef;
  lastModified?: Date;
  /** Checkpoint that is true once this object and every one before it is enqueued. */
  checkpointAfter: Checkpoint;
}

export interface ListingSelection {
  bucket: string;
  prefix?: string;
  /** Only objects modified at or after this instant. */
  since?: Date;
}

export function selectedBySince(lastModified: Date | undefined, since: Date | undefined): boolean {
  return since === undefined || (lastModified !== undefined && lastModified.getTime() >= since.getTime());
}

/** Pages of a bucket listing, from just after `afterKey`. */
export async function* listObjects(s3: S3Client, selection: ListingSelection, afterKey?: string, pageSize = 1000): AsyncGenerator<SourcedObject[]> {
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: selection.bucket,
        Prefix: selection.prefix,
        MaxKeys: pageSize,
        ...(continuationToken ? { ContinuationToken: continuationToken } : afterKey ? { StartAfter: afterKey } : {}),
      }),
    );
    const objects: SourcedObject[] = [];
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined || !selectedBySince(item.LastModified, selection.since)) continue;
      const ref: S3ObjectRef = { bucket: selection.bucket, key: item.Key };
      if (item.Size !== undefined) ref.size = item.Size;
      const eTag = unquoteETag(item.ETag);
      if (eTag !== undefined) ref.eTag = eTag;
      objects.push({ ref, checkpointAfter: { afterKey: item.Key }, ...(item.LastModified ? { lastModified: item.LastModified } : {}) });
    }
    if (objects.length > 0) yield objects;
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
}

/** Counts what a listing selects (one cheap pass, so progress has a total and an ETA). */
export async function countObjects(s3: S3Client, selection: ListingSelection): Promise<number> {
  let n = 0;
  for await (const page of listObjects(s3, selection)) n += page.length;
  return n;
}

/** Keys of a file, one per line (blank lines and `#` comments skipped), after `linesDone`. */
export async function* keysFromFile(path: string, bucket: string, linesDone = 0, pageSize = 100): AsyncGenerator<SourcedObject[]> {
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  let line = 0;
  let page: SourcedObject[] = [];
  for await (const raw of lines) {
    line++;
    if (line <= linesDone) continue;
    const key = raw.trim();
    if (key === "" || key.startsWith("#")) continue;
    page.push({ ref: { bucket, key }, checkpointAfter: { linesDone: line } });
    if (page.length >= pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

export async function countKeysInFile(path: string): Promise<number> {
  let n = 0;
  for await (const page of keysFromFile(path, "")) n += page.length;
  return n;
}

export type Described = { ok: true; ref: S3ObjectRef; lastModified?: Date } | { ok: false; ref: S3ObjectRef; reason: string };

/**
 * Fills in what a notification carries and a listing or key file lacks:
 * the ETag, size and (in a versioned bucket) the current VersionId, which the
 * handler's transaction id is made of.
 */
export async function describeObject(s3: S3Client, object: SourcedObject, needVersion: boolean): Promise<Described> {
  const { ref, lastModified } = object;
  if (ref.eTag !== undefined && ref.size !== undefined && lastModified !== undefined && !needVersion) return { ok: true, ref, lastModified };
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    const described: S3ObjectRef = { ...ref };
    if (head.ContentLength !== undefined) described.size = head.ContentLength;
    const eTag = unquoteETag(head.ETag);
    if (eTag !== undefined) described.eTag = eTag;
    if (head.VersionId !== undefined && head.VersionId !== "null") described.versionId = head.VersionId;
    return { ok: true, ref: described, ...(head.LastModified ? { lastModified: head.LastModified } : {}) };
  } catch (error) {
    const name = (error as { name?: string }).name;
    const reason = name === "NotFound" || name === "NoSuchKey" ? "object-not-found" : `head-failed: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, ref, reason };
  }
}
