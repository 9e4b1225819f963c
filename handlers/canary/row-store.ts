// The canary's view of the `images` table: find the row its upload produced,
// and remove it afterwards. Injected into runCanaryCheck, so the local
// pipeline can pass its own database.
import type { CanaryRow, CanaryRowLookup } from "./check";

/** What the row access needs: the shared Database, a pg Pool or Client. */
export interface RowQueryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export function databaseRowFinder(db: RowQueryable): (lookup: CanaryRowLookup) => Promise<CanaryRow | undefined> {
  return async ({ bucket, key }) => {
    const { rows } = await db.query<{ transaction_id: string; status: string; failure_reason: string | null; failure_detail: string | null; correlation_id: string }>(
      `SELECT transaction_id, status, failure_reason, failure_detail, correlation_id
         FROM images WHERE raw_bucket = $1 AND raw_key = $2
        ORDER BY created_at DESC LIMIT 1`,
      [bucket, key],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      transactionId: row.transaction_id,
      status: row.status === "ok" ? "ok" : "failed",
      failure: row.failure_reason === null ? undefined : `${row.failure_reason}${row.failure_detail ? `: ${row.failure_detail}` : ""}`,
      correlationId: row.correlation_id,
    };
  };
}

/** Deletes the canary's own row; the key condition keeps it from ever touching a real upload. */
export function databaseRowRemover(db: RowQueryable, prefix: string): (lookup: CanaryRowLookup) => Promise<void> {
  return async ({ bucket, key }) => {
    if (!key.startsWith(prefix)) throw new Error(`refusing to delete the row of ${key}: not under the canary prefix ${prefix}`);
    await db.query("DELETE FROM images WHERE raw_bucket = $1 AND raw_key = $2", [bucket, key]);
  };
}
