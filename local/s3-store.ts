// Where the local S3 (s3rver) keeps objects, made safe for any key. s3rver
// maps a key to a file path by splitting it at `/` and joining the pieces
// under its directory, so `..` climbs out of the store, an empty segment
// vanishes, and a segment over the filesystem's 255 bytes fails the write
// with an error nothing listens for, which ends the process. Here every
// segment becomes a file name that can be none of those things:
//
// - each segment is prefixed with `_` (so no piece is empty, `.` or `..`),
//   and `%` and control characters in it are percent-encoded;
// - a segment longer than PIECE_BYTES is cut into pieces at character
//   boundaries; every piece but the last ends with a lone `%`, which no
//   encoded text can end with, so the pieces join back into one segment.
//
// The codec is pure and invertible; `installSafeStore` puts it, plus a write
// that reports errors instead of crashing and a delete that only tidies
// folders inside the store, into a running s3rver.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readdir, rmdir, unlink } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Longest piece of an encoded segment; with s3rver's `._S3rver_metadata.json` suffix a file name stays well under 255 bytes. */
export const PIECE_BYTES = 200;
const CONTINUES = "%";

function encodeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === "%" || code < 0x20 || code === 0x7f) return `%${code.toString(16).toUpperCase().padStart(2, "0")}`;
  return char;
}

/** One key segment as file-name pieces (usually one). */
function encodeSegment(segment: string): string[] {
  const units = Array.from(segment, encodeChar);
  const pieces: string[] = [];
  let piece = "_";
  for (const unit of units) {
    if (Buffer.byteLength(piece) + Buffer.byteLength(unit) + CONTINUES.length > PIECE_BYTES) {
      pieces.push(`${piece}${CONTINUES}`);
      piece = "_";
    }
    piece += unit;
  }
  pieces.push(piece);
  return pieces;
}

/** A key as the relative path s3rver stores it under. */
export function encodeKeyPath(key: string): string {
  return key.split("/").flatMap(encodeSegment).join("/");
}

/** The inverse of encodeKeyPath. */
export function decodeKeyPath(keyPath: string): string {
  const segments: string[] = [];
  let current = "";
  for (const piece of keyPath.split("/")) {
    const body = piece.startsWith("_") ? piece.slice(1) : piece;
    if (body.endsWith(CONTINUES) && !/%[0-9A-F]{2}$/.test(body)) {
      current += body.slice(0, -CONTINUES.length);
      continue;
    }
    segments.push(decodeURIComponent(current + body));
    current = "";
  }
  return segments.join("/");
}

/** S3's bucket naming rules; anything else (`..` above all) names no bucket here. */
const BUCKET_NAME = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The slice of s3rver's FilesystemStore this module uses and replaces. */
interface FilesystemStoreClass {
  new (rootDirectory: string): FilesystemStoreInstance;
  encodeKeyPath(key: string): string;
  decodeKeyPath(keyPath: string): string;
  prototype: FilesystemStoreInstance;
}
interface FilesystemStoreInstance {
  rootDirectory: string;
  getBucketPath(bucket: string): string;
  getBucket(bucket: string): Promise<unknown>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5?: string): Promise<void>;
  putObject(object: { bucket: string; key: string; content: Buffer | NodeJS.ReadableStream; metadata: unknown }): Promise<{ size: number; md5: string }>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

let installed = false;

/**
 * Makes every s3rver store in this process safe for any key and bucket name:
 * its paths come from encodeKeyPath, always resolve inside its directory, and
 * a failing write or delete is one failed request (a 500), never the end of
 * the process.
 */
export function installSafeStore(): void {
  if (installed) return;
  installed = true;
  // s3rver calls the codec through the class itself, so the class is where it is replaced.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Store = require("s3rver/lib/stores/filesystem") as FilesystemStoreClass;
  Store.encodeKeyPath = encodeKeyPath;
  Store.decodeKeyPath = decodeKeyPath;
  const proto = Store.prototype;

  const inside = (store: FilesystemStoreInstance, path: string): string => {
    const root = resolve(store.rootDirectory);
    const full = resolve(path);
    if (full !== root && !full.startsWith(root + sep)) throw new Error(`refused: ${JSON.stringify(path)} is outside the local S3 store`);
    return full;
  };

  const getBucketPath = proto.getBucketPath;
  proto.getBucketPath = function (this: FilesystemStoreInstance, bucket: string) {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`refused: ${JSON.stringify(bucket)} is not a bucket name`);
    return inside(this, getBucketPath.call(this, bucket));
  };
  const getBucket = proto.getBucket;
  proto.getBucket = async function (this: FilesystemStoreInstance, bucket: string) {
    return BUCKET_NAME.test(bucket) ? getBucket.call(this, bucket) : null;
  };
  const getResourcePath = proto.getResourcePath;
  proto.getResourcePath = function (this: FilesystemStoreInstance, bucket: string, key: string | undefined, resource: string) {
    this.getBucketPath(bucket);
    return inside(this, getResourcePath.call(this, bucket, key, resource));
  };

  proto.putObject = async function (this: FilesystemStoreInstance, object) {
    const objectPath = this.getResourcePath(object.bucket, object.key, "object");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dirname(objectPath), { recursive: true });
    const md5 = createHash("md5");
    let size = 0;
    const tally = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? [object.content] : object.content;
    // pipeline wires 'error' on every stream: an unwritable path rejects this request only.
    await pipeline(source as AsyncIterable<Buffer>, tally, createWriteStream(objectPath));
    const digest = md5.digest("hex");
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };

  proto.deleteObject = async function (this: FilesystemStoreInstance, bucket: string, key: string) {
    const files = ["object", "object.md5", "metadata.json"].map((resource) => this.getResourcePath(bucket, key, resource));
    for (const file of files) {
      await unlink(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
    }
    // Empty folders between the object and its bucket go; never the bucket, never anything outside it.
    const bucketPath = this.getBucketPath(bucket);
    for (let folder = dirname(files[0]); folder.startsWith(bucketPath + sep); folder = dirname(folder)) {
      if ((await readdir(folder).catch(() => ["?"])).length > 0) break;
      await rmdir(folder).catch(() => undefined);
    }
  };
}
