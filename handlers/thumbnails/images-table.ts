// The `images` row: one per upload, written by one idempotent statement.
import type { Database } from "../shared/db";
import type { OutputFormat } from "./image";
import type { FailureReason } from "./decide";

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

export interface ExistingImage {
  id: string;
  status: "ok" | "failed";
  failureReason: string | null;
}

/** The cheap pre-check: is there a row for this transaction already? */
export async function findImage(database: Database, transactionId: string): Promise<ExistingImage | undefined> {
  const { rows } = await database.query<{ id: string; status: "ok" | "failed"; failure_reason: string | null }>(
    "SELECT id, status, failure_reason FROM images WHERE transaction_id = $1",
    [transactionId],
  );
  const row = rows[0];
  return row === undefined ? undefined : { id: row.id, status: row.status, failureReason: row.failure_reason };
}

/** A row of the same key and ETag: the upload an event names when its object is gone by now. */
export async function findRowOfETag(database: Database, object: { bucket: string; key: string; eTag?: string }): Promise<ExistingImage | undefined> {
  if (object.eTag === undefined) return undefined;
  const { rows } = await database.query<{ id: string; status: "ok" | "failed"; failure_reason: string | null }>(
    "SELECT id, status, failure_reason FROM images WHERE raw_bucket = $1 AND raw_key = $2 AND raw_etag = $3 ORDER BY created_at LIMIT 1",
    [object.bucket, object.key, object.eTag],
  );
  const row = rows[0];
  return row === undefined ? undefined : { id: row.id, status: row.status, failureReason: row.failure_reason };
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
export async function insertImage(database: Database, row: ImageRow): Promise<{ inserted: true; id: string } | { inserted: false }> {
  const { rows } = await database.query<{ id: string }>(INSERT_IMAGE, insertValues(row));
  const inserted = rows[0];
  return inserted === undefined ? { inserted: false } : { inserted: true, id: inserted.id };
}
