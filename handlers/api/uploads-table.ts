// The `uploads` table (handlers/migrations/0004): the only SQL for it. One
// row per issued image id; the idempotent insert is what makes a retried
// POST /uploads answer the same, however concurrent the retries.
import type { Queryable } from "../shared/images-table";

export interface UploadRecord {
  imageId: string;
  caller: string;
  idempotencyKey: string | undefined;
  requestHash: string;
  rawBucket: string;
  rawKey: string;
  correlationId: string;
  contentType: string;
  maxBytes: number;
  expiresAt: Date;
  /** The 201 body as first sent; replayed for a retry with the same key. */
  response: unknown;
}

export type StoredUpload = UploadRecord & { createdAt: Date };

interface UploadsColumns {
  image_id: string;
  caller: string;
  idempotency_key: string | null;
  request_hash: string;
  raw_bucket: string;
  raw_key: string;
  correlation_id: string;
  content_type: string;
  max_bytes: string;
  expires_at: Date;
  response: unknown;
  created_at: Date;
}

function toStored(c: UploadsColumns): StoredUpload {
  return {
    imageId: c.image_id,
    caller: c.caller,
    idempotencyKey: c.idempotency_key ?? undefined,
    requestHash: c.request_hash,
    rawBucket: c.raw_bucket,
    rawKey: c.raw_key,
    correlationId: c.correlation_id,
    contentType: c.content_type,
    maxBytes: Number(c.max_bytes),
    expiresAt: c.expires_at,
    response: c.response,
    createdAt: c.created_at,
  };
}

// A key without an Idempotency-Key (NULL) never conflicts: UNIQUE treats NULLs as distinct.
const INSERT_UPLOAD = `
INSERT INTO uploads (image_id, caller, idempotency_key, request_hash, raw_bucket, raw_key, correlation_id, content_type, max_bytes, expires_at, response)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (caller, idempotency_key) DO NOTHING
RETURNING image_id`;

/** Stores the upload; when the caller's Idempotency-Key was used already, returns the upload stored first instead. */
export async function insertUpload(db: Queryable, record: UploadRecord): Promise<{ inserted: true } | { inserted: false; existing: StoredUpload }> {
  const { rows } = await db.query<{ image_id: string }>(INSERT_UPLOAD, [
    record.imageId,
    record.caller,
    record.idempotencyKey ?? null,
    record.requestHash,
    record.rawBucket,
    record.rawKey,
    record.correlationId,
    record.contentType,
    record.maxBytes,
    record.expiresAt,
    JSON.stringify(record.response),
  ]);
  if (rows.length > 0) return { inserted: true };
  const existing = record.idempotencyKey === undefined ? undefined : await findUploadByIdempotencyKey(db, record.caller, record.idempotencyKey);
  if (existing === undefined) throw new Error(`upload ${record.imageId} was neither inserted nor found under its idempotency key`);
  return { inserted: false, existing };
}

export async function findUploadByIdempotencyKey(db: Queryable, caller: string, idempotencyKey: string): Promise<StoredUpload | undefined> {
  const { rows } = await db.query<UploadsColumns>("SELECT * FROM uploads WHERE caller = $1 AND idempotency_key = $2", [caller, idempotencyKey]);
  return rows[0] === undefined ? undefined : toStored(rows[0]);
}

export async function findUpload(db: Queryable, imageId: string): Promise<StoredUpload | undefined> {
  const { rows } = await db.query<UploadsColumns>("SELECT * FROM uploads WHERE image_id = $1", [imageId]);
  return rows[0] === undefined ? undefined : toStored(rows[0]);
}
