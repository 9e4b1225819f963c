// Read-only queries on the handler's `images` table (handlers/migrations) that
// the local pipeline, reprocess reports and the load bench share.
import type { Client, Pool } from "pg";

type Queryable = Pick<Client | Pool, "query">;

export interface ImageRow {
  id: string;
  transactionId: string;
  status: "ok" | "failed";
  rawBucket: string;
  rawKey: string;
  rawVersionId: string | null;
  failureReason: string | null;
  failureDetail: string | null;
  correlationId: string;
  inputBytes: number | null;
  outputBytes: number | null;
  inputWidth: number | null;
  inputHeight: number | null;
  outputs: { name: string; format: string; width: number; height: number; bytes: number; key?: string }[];
  stageTimings: Record<string, number>;
  createdAt: Date;
}

interface Raw {
  id: string;
  transaction_id: string;
  status: "ok" | "failed";
  raw_bucket: string;
  raw_key: string;
  raw_version_id: string | null;
  failure_reason: string | null;
  failure_detail: string | null;
  correlation_id: string;
  input_bytes: string | null;
  output_bytes: string | null;
  input_width: number | null;
  input_height: number | null;
  outputs: ImageRow["outputs"];
  stage_timings: Record<string, number>;
  created_at: Date;
}

function toRow(r: Raw): ImageRow {
  return {
    id: r.id,
    transactionId: r.transaction_id,
    status: r.status,
    rawBucket: r.raw_bucket,
    rawKey: r.raw_key,
    rawVersionId: r.raw_version_id,
    failureReason: r.failure_reason,
    failureDetail: r.failure_detail,
    correlationId: r.correlation_id,
    inputBytes: r.input_bytes === null ? null : Number(r.input_bytes),
    outputBytes: r.output_bytes === null ? null : Number(r.output_bytes),
    inputWidth: r.input_width,
    inputHeight: r.input_height,
    outputs: r.outputs,
    stageTimings: r.stage_timings,
    createdAt: r.created_at,
  };
}

/** Rows of the given raw objects, oldest first (a key can have a row per version). */
export async function rowsForKeys(db: Queryable, bucket: string, keys: readonly string[]): Promise<ImageRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<Raw>(
    "SELECT * FROM images WHERE raw_bucket = $1 AND raw_key = ANY($2::text[]) ORDER BY created_at",
    [bucket, keys],
  );
  return rows.map(toRow);
}

export interface StatusCounts {
  ok: number;
  failedByReason: Record<string, number>;
  /** Keys with no row at all. */
  missing: string[];
}

/** ok / failed-by-reason / missing for a set of keys; a key counts by its newest row. */
export function countStatuses(keys: readonly string[], rows: readonly ImageRow[]): StatusCounts {
  const newest = new Map<string, ImageRow>();
  for (const row of rows) newest.set(row.rawKey, row);
  const counts: StatusCounts = { ok: 0, failedByReason: {}, missing: [] };
  for (const key of new Set(keys)) {
    const row = newest.get(key);
    if (!row) counts.missing.push(key);
    else if (row.status === "ok") counts.ok++;
    else {
      const reason = row.failureReason ?? "unknown";
      counts.failedByReason[reason] = (counts.failedByReason[reason] ?? 0) + 1;
    }
  }
  return counts;
}

/** Raw objects with more than one row: must be none when each object was uploaded once. */
export async function duplicateRows(db: Queryable, bucket?: string): Promise<{ rawKey: string; rows: number }[]> {
  const { rows } = await db.query<{ raw_key: string; n: string }>(
    `SELECT raw_key, count(*) AS n FROM images WHERE ($1::text IS NULL OR raw_bucket = $1) GROUP BY raw_bucket, raw_key HAVING count(*) > 1`,
    [bucket ?? null],
  );
  return rows.map((r) => ({ rawKey: r.raw_key, rows: Number(r.n) }));
}
