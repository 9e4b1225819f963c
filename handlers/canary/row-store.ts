// The canary's view of the `images` table: find the row its upload produced,
// and remove it afterwards. Injected into runCanaryCheck, so the local
// pipeline can pass its own database. The SQL is the table module's.
import { deleteRowsOfKey, newestRowOfKey, type Queryable } from "../shared/images-table";
import type { CanaryRow, CanaryRowLookup } from "./check";

export function databaseRowFinder(db: Queryable): (lookup: CanaryRowLookup) => Promise<CanaryRow | undefined> {
  return async ({ bucket, key }) => {
    const row = await newestRowOfKey(db, bucket, key);
    if (row === undefined) return undefined;
    return {
      transactionId: row.transactionId,
      status: row.status,
      failure: row.status === "ok" ? undefined : `${row.failureReason}${row.failureDetail ? `: ${row.failureDetail}` : ""}`,
      correlationId: row.correlationId,
    };
  };
}

/** Deletes the canary's own row; the key condition keeps it from ever touching a real upload. */
export function databaseRowRemover(db: Queryable, prefix: string): (lookup: CanaryRowLookup) => Promise<void> {
  return async ({ bucket, key }) => {
    if (!key.startsWith(prefix)) throw new Error(`refusing to delete the row of ${key}: not under the canary prefix ${prefix}`);
    await deleteRowsOfKey(db, bucket, key);
  };
}
