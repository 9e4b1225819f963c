// The `images` table (handlers/migrations): one row per upload. This module
// is its only SQL and `ImageRow` its only type: the thumbnails function writes
// rows with one idempotent statement; the canary, pipectl, the local pipeline
// and the benches read them. Handlers bundle it, so it imports types only.
import type { FailureReason } from "../thumbnails/decide";
import type { OutputFormat } from "../thumbnails/image/types";

/** What the table access needs: the handlers' Database, a pg Pool or a pg Client. */
export interface Queryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface OutputRecord {
  name: string;
  format: OutputFormat;
  key: string;
  url: string;
  width: number;
  height: number;
  bytes: number;
}

/** Milliseconds per stage; the names match the StageDuration metric's `stage` dimension. */
export type StageTimings = Partial<Record<"lookup" | "download" | "decode" | "resize" | "encode" | "upload", number>>;

interface RowCommon {
  transactionId: string;
  correlationId: string;
  originalUrl: string;
  rawBucket: string;
  rawKey: string;
  rawVersionId: string | undefined;
  /** The ETag the event announced (what an unversioned object is matched by when it is gone). */
  rawETag: string | undefined;
  inputBytes: number | undefined;
  stageTimings: StageTimings;
}

/** A row as the thumbnails function writes it. */
export type ImageRow =
  | (RowCommon & {
      status: "ok";
      thumbnailUrlSmall: string | undefined;
      thumbnailUrlMedium: string | undefined;
      outputs: OutputRecord[];
      inputFormat: string;
      inputWidth: number;
      inputHeight: number;
      outputBytes: number;
    })
  | (RowCommon & { status: "failed"; failureReason: FailureReason; failureDetail: string });

/** A row as read back: what was written, with the id and time the database gave it. */
export type StoredImageRow = ImageRow & { id: string; createdAt: Date };

export interface ExistingImage {
  id: string;
  status: "ok" | "failed";
  failureReason: string | null;
}

/** The columns as pg returns them (bigint as text). */
interface ImagesColumns {
  id: string;
  transaction_id: string;
  status: "ok" | "failed";
  correlation_id: string;
  original_url: string;
  raw_bucket: string;
  raw_key: string;
  raw_version_id: string | null;
  raw_etag: string | null;
  thumbnail_url_small: string | null;
  thumbnail_url_medium: string | null;
  outputs: OutputRecord[];
  failure_reason: string | null;
  failure_detail: string | null;
  input_format: string | null;
  input_width: number | null;
  input_height: number | null;
  input_bytes: string | null;
  output_bytes: string | null;
  stage_timings: StageTimings;
  created_at: Date;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function toStoredRow(c: ImagesColumns): StoredImageRow {
  const common = {
    id: c.id,
    createdAt: c.created_at,
    transactionId: c.transaction_id,
    correlationId: c.correlation_id,
    originalUrl: c.original_url,
    rawBucket: c.raw_bucket,
    rawKey: c.raw_key,
    rawVersionId: orUndefined(c.raw_version_id),
    rawETag: orUndefined(c.raw_etag),
    inputBytes: c.input_bytes === null ? undefined : Number(c.input_bytes),
    stageTimings: c.stage_timings,
  };
  if (c.status === "failed") {
    return { ...common, status: "failed", failureReason: (c.failure_reason ?? "unknown") as FailureReason, failureDetail: c.failure_detail ?? "" };
  }
  return {
    ...common,
    status: "ok",
    thumbnailUrlSmall: orUndefined(c.thumbnail_url_small),
    thumbnailUrlMedium: orUndefined(c.thumbnail_url_medium),
    outputs: c.outputs,
    inputFormat: c.input_format ?? "",
    inputWidth: c.input_width ?? 0,
    inputHeight: c.input_height ?? 0,
    outputBytes: Number(c.output_bytes ?? 0),
  };
}

function toExisting(c: Pick<ImagesColumns, "id" | "status" | "failure_reason">): ExistingImage {
  return { id: c.id, status: c.status, failureReason: c.failure_reason };
}

/** The cheap pre-check: is there a row for this transaction already? */
export async function findImage(db: Queryable, transactionId: string): Promise<ExistingImage | undefined> {
  const { rows } = await db.query<ImagesColumns>("SELECT id, status, failure_reason FROM images WHERE transaction_id = $1", [transactionId]);
  return rows[0] === undefined ? undefined : toExisting(rows[0]);
}

/** A row of the same key and ETag: the upload an event names when its object is gone by now. */
export async function findRowOfETag(db: Queryable, object: { bucket: string; key: string; eTag?: string }): Promise<ExistingImage | undefined> {
  if (object.eTag === undefined) return undefined;
  const { rows } = await db.query<ImagesColumns>(
    "SELECT id, status, failure_reason FROM images WHERE raw_bucket = $1 AND raw_key = $2 AND raw_etag = $3 ORDER BY created_at LIMIT 1",
    [object.bucket, object.key, object.eTag],
  );
  return rows[0] === undefined ? undefined : toExisting(rows[0]);
}

// ON CONFLICT ... DO NOTHING: the first delivery writes the row, every later
// one (however concurrent) changes nothing and gets no row back. Correctness
// rests on this statement and the UNIQUE constraint alone, never on the
// pre-check above.
const INSERT_IMAGE = `
INSERT INTO images (
  transaction_id, status, correlation_id, original_url, raw_bucket, raw_key, raw_version_id,
  thumbnail_url_small, thumbnail_url_medium, outputs, failure_reason, failure_detail,
  input_format, input_width, input_height, input_bytes, output_bytes, stage_timings, raw_etag
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
ON CONFLICT (transaction_id) DO NOTHING
RETURNING id`;

function insertValues(row: ImageRow): unknown[] {
  const ok = row.status === "ok" ? row : undefined;
  const failed = row.status === "failed" ? row : undefined;
  return [
    row.transactionId,
    row.status,
    row.correlationId,
    row.originalUrl,
    row.rawBucket,
    row.rawKey,
    row.rawVersionId ?? null,
    ok?.thumbnailUrlSmall ?? null,
    ok?.thumbnailUrlMedium ?? null,
    JSON.stringify(ok?.outputs ?? []),
    failed?.failureReason ?? null,
    failed?.failureDetail ?? null,
    ok?.inputFormat ?? null,
    ok?.inputWidth ?? null,
    ok?.inputHeight ?? null,
    row.inputBytes ?? null,
    ok?.outputBytes ?? null,
    JSON.stringify(row.stageTimings),
    row.rawETag ?? null,
  ];
}

/** Inserts the row unless one exists for the transaction; `inserted: false` is a duplicate delivery. */
export async function insertImage(db: Queryable, row: ImageRow): Promise<{ inserted: true; id: string } | { inserted: false }> {
  const { rows } = await db.query<{ id: string }>(INSERT_IMAGE, insertValues(row));
  const inserted = rows[0];
  return inserted === undefined ? { inserted: false } : { inserted: true, id: inserted.id };
}

/** Rows of the given raw objects, oldest first (a key can have a row per version). */
export async function rowsForKeys(db: Queryable, bucket: string, keys: readonly string[]): Promise<StoredImageRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<ImagesColumns>("SELECT * FROM images WHERE raw_bucket = $1 AND raw_key = ANY($2::text[]) ORDER BY created_at", [
    bucket,
    keys,
  ]);
  return rows.map(toStoredRow);
}

/** The newest row of one raw object, if any. */
export async function newestRowOfKey(db: Queryable, bucket: string, key: string): Promise<StoredImageRow | undefined> {
  const { rows } = await db.query<ImagesColumns>("SELECT * FROM images WHERE raw_bucket = $1 AND raw_key = $2 ORDER BY created_at DESC LIMIT 1", [bucket, key]);
  return rows[0] === undefined ? undefined : toStoredRow(rows[0]);
}

/** Deletes every row of one raw object (the canary's own uploads only: its caller guards the key). */
export async function deleteRowsOfKey(db: Queryable, bucket: string, key: string): Promise<void> {
  await db.query("DELETE FROM images WHERE raw_bucket = $1 AND raw_key = $2", [bucket, key]);
}

/** Raw objects with more than one row: must be none when each object was uploaded once. */
export async function duplicateRows(db: Queryable, bucket?: string): Promise<{ rawKey: string; rows: number }[]> {
  const { rows } = await db.query<{ raw_key: string; n: string }>(
    `SELECT raw_key, count(*) AS n FROM images WHERE ($1::text IS NULL OR raw_bucket = $1) GROUP BY raw_bucket, raw_key HAVING count(*) > 1`,
    [bucket ?? null],
  );
  return rows.map((r) => ({ rawKey: r.raw_key, rows: Number(r.n) }));
}

export interface StatusCounts {
  ok: number;
  failedByReason: Record<string, number>;
  /** Keys with no row at all. */
  missing: string[];
}

/** ok / failed-by-reason / missing for a set of keys; a key counts by its newest row. */
export function countStatuses(keys: readonly string[], rows: readonly StoredImageRow[]): StatusCounts {
  const newest = new Map<string, StoredImageRow>();
  for (const row of rows) newest.set(row.rawKey, row);
  const counts: StatusCounts = { ok: 0, failedByReason: {}, missing: [] };
  for (const key of new Set(keys)) {
    const row = newest.get(key);
    if (!row) counts.missing.push(key);
    else if (row.status === "ok") counts.ok++;
    else counts.failedByReason[row.failureReason] = (counts.failedByReason[row.failureReason] ?? 0) + 1;
  }
  return counts;
}

/** A row still owed its result event, with the image id the API issued for its key (none for uploads made otherwise). */
export type RowOwedEvent = StoredImageRow & { imageId: string | undefined; eventAttempts: number };

/**
 * Rows whose result event was not sent yet, oldest first. The uploads join
 * names the API's image id; `uploads` is the API's table (migration 0004).
 */
export async function rowsOwedEvents(db: Queryable, limit: number): Promise<RowOwedEvent[]> {
  const { rows } = await db.query<ImagesColumns & { upload_image_id: string | null; event_attempts: number }>(
    `SELECT i.*, u.image_id AS upload_image_id FROM images i
     LEFT JOIN uploads u ON u.raw_bucket = i.raw_bucket AND u.raw_key = i.raw_key
     WHERE i.event_published_at IS NULL ORDER BY i.created_at LIMIT $1`,
    [limit],
  );
  return rows.map((c) => ({ ...toStoredRow(c), imageId: c.upload_image_id ?? undefined, eventAttempts: c.event_attempts }));
}

/** Marks the rows' events sent; idempotent. */
export async function markEventsPublished(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query("UPDATE images SET event_published_at = now() WHERE id = ANY($1::uuid[]) AND event_published_at IS NULL", [ids]);
}

/** Counts a failed attempt and keeps why, for the operator; the row stays owed (a reconnect retry may count one twice: a diagnostic only). */
export async function recordEventFailures(db: Queryable, failures: readonly { id: string; error: string }[]): Promise<void> {
  for (const failure of failures) {
    await db.query("UPDATE images SET event_attempts = event_attempts + 1, event_last_error = $2 WHERE id = $1 AND event_published_at IS NULL", [
      failure.id,
      failure.error.slice(0, 1000),
    ]);
  }
}
