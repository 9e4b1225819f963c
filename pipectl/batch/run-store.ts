// Where a reprocess or redrive run keeps its bookkeeping (the batch_runs and
// batch_run_items tables of the migration): its parameters, its checkpoint and
// every item it handed to the queue. A PostgreSQL session advisory lock marks
// the run as owned by a live process: a crash drops the connection and the
// lock with it, so the next start with the same parameters resumes the run.
import { createHash, randomBytes } from "node:crypto";
import { Client } from "pg";

export type RunKind = "reprocess" | "redrive";
export type RunStatus = "running" | "interrupted" | "completed";

/** Where to pick up: the last fully-enqueued key of a listing, or lines done of a key file. */
export interface Checkpoint {
  afterKey?: string;
  linesDone?: number;
  /** Redrive: dead letters moved so far (the DLQ itself holds what is left). */
  moved?: number;
}

export interface RunRecord {
  id: string;
  kind: RunKind;
  paramsHash: string;
  params: Record<string, unknown>;
  status: RunStatus;
  checkpoint: Checkpoint;
  enqueued: number;
  notEnqueued: number;
  total: number | null;
  startedAt: Date;
}

export interface RunItem {
  bucket?: string;
  key?: string;
  messageId?: string;
  /** The transaction id the handler will derive for the object sent (reprocess), so its row is found exactly. */
  transactionId?: string;
  /** `already-processed`: the object had its current row, so it was not sent again. */
  outcome: "enqueued" | "not-enqueued" | "already-processed";
  detail?: string;
}

export interface ClaimRequest {
  kind: RunKind;
  params: Record<string, unknown>;
  /** Resume exactly this run. */
  resumeId?: string;
  /** Never resume: start a fresh run even if an unfinished one has the same parameters. */
  fresh?: boolean;
}

export interface Claim {
  run: RunRecord;
  resumed: boolean;
  /** Unfinished runs with the same parameters that another live process holds. */
  busyPeers: string[];
}

/** Stable hash of the parameters that define a run's work, independent of key order. */
export function paramsHash(kind: RunKind, params: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson({ kind, params })).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

interface RunRow {
  id: string;
  kind: RunKind;
  params_hash: string;
  params: Record<string, unknown>;
  status: RunStatus;
  checkpoint: Checkpoint;
  enqueued: number;
  not_enqueued: number;
  total: number | null;
  started_at: Date;
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    paramsHash: row.params_hash,
    params: row.params,
    status: row.status,
    checkpoint: row.checkpoint,
    enqueued: row.enqueued,
    notEnqueued: row.not_enqueued,
    total: row.total,
    startedAt: row.started_at,
  };
}

/** A run's session-level advisory lock: held by the process running it, gone with its connection. */
function lockKey(id: string): string {
  return `batch-run:${id}`;
}

export class RunStore {
  private constructor(private readonly client: Client) {}

  static async open(databaseUrl: string): Promise<RunStore> {
    const client = new Client({ connectionString: databaseUrl, application_name: "pipectl" });
    await client.connect();
    try {
      await client.query("SELECT 1 FROM batch_runs LIMIT 0");
    } catch (error) {
      await client.end();
      throw new Error(
        `the database has no batch_runs table (${error instanceof Error ? error.message : String(error)}); apply the migrations first (handlers/migrations)`,
        { cause: error },
      );
    }
    return new RunStore(client);
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  /** Finds the run to resume, or creates one, and locks it for this process. */
  async claim(request: ClaimRequest): Promise<Claim> {
    const hash = paramsHash(request.kind, request.params);
    if (request.resumeId) {
      const run = await this.get(request.resumeId);
      if (!run) throw new Error(`no run with id ${request.resumeId}; start one without --resume`);
      if (run.kind !== request.kind) throw new Error(`run ${run.id} is a ${run.kind} run, not a ${request.kind} run`);
      if (!(await this.tryLock(run.id))) {
        throw new Error(`run ${run.id} is being run by another process right now; wait for it or stop it first`);
      }
      return { run, resumed: true, busyPeers: [] };
    }
    const busyPeers: string[] = [];
    if (!request.fresh) {
      const { rows } = await this.client.query<RunRow>(
        `SELECT * FROM batch_runs WHERE kind = $1 AND params_hash = $2 AND status <> 'completed' ORDER BY started_at DESC`,
        [request.kind, hash],
      );
      for (const row of rows) {
        if (await this.tryLock(row.id)) return { run: toRecord(row), resumed: true, busyPeers };
        busyPeers.push(row.id);
      }
    }
    const id = `${request.kind}-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomBytes(3).toString("hex")}`;
    // Locked before its row exists: a peer claiming the same parameters must
    // find the new run taken, never take it over between insert and lock.
    if (!(await this.tryLock(id))) throw new Error(`could not lock the new run ${id}`);
    try {
      const { rows } = await this.client.query<RunRow>(`INSERT INTO batch_runs (id, kind, params_hash, params) VALUES ($1, $2, $3, $4) RETURNING *`, [
        id,
        request.kind,
        hash,
        JSON.stringify(request.params),
      ]);
      return { run: toRecord(rows[0]), resumed: false, busyPeers };
    } catch (error) {
      await this.unlock(id).catch(() => undefined);
      throw error;
    }
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.client.query<RunRow>("SELECT * FROM batch_runs WHERE id = $1", [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async markRunning(id: string): Promise<void> {
    await this.client.query(`UPDATE batch_runs SET status = 'running', updated_at = now() WHERE id = $1`, [id]);
  }

  async setTotal(id: string, total: number): Promise<void> {
    await this.client.query("UPDATE batch_runs SET total = $2, updated_at = now() WHERE id = $1", [id, total]);
  }

  /** Records a batch's items and moves the checkpoint past them, atomically. */
  async recordBatch(id: string, items: RunItem[], checkpoint: Checkpoint): Promise<void> {
    const enqueued = items.filter((i) => i.outcome === "enqueued").length;
    const notEnqueued = items.filter((i) => i.outcome === "not-enqueued").length;
    await this.client.query("BEGIN");
    try {
      if (items.length > 0) {
        await this.client.query(
          `INSERT INTO batch_run_items (run_id, bucket, key, message_id, outcome, detail, transaction_id)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
          [
            id,
            items.map((i) => i.bucket ?? null),
            items.map((i) => i.key ?? null),
            items.map((i) => i.messageId ?? null),
            items.map((i) => i.outcome),
            items.map((i) => i.detail ?? null),
            items.map((i) => i.transactionId ?? null),
          ],
        );
      }
      await this.client.query(
        `UPDATE batch_runs SET checkpoint = $2, enqueued = enqueued + $3, not_enqueued = not_enqueued + $4, updated_at = now() WHERE id = $1`,
        [id, JSON.stringify(checkpoint), enqueued, notEnqueued],
      );
      await this.client.query("COMMIT");
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }

  async finish(id: string, status: Exclude<RunStatus, "running">): Promise<void> {
    await this.client.query(`UPDATE batch_runs SET status = $2, updated_at = now(), finished_at = CASE WHEN $2 = 'completed' THEN now() END WHERE id = $1`, [
      id,
      status,
    ]);
  }

  /** Distinct objects the run covered: handed to the queue or found already processed. */
  async coveredObjects(id: string): Promise<{ bucket: string; key: string }[]> {
    const { rows } = await this.client.query<{ bucket: string; key: string }>(
      `SELECT DISTINCT bucket, key FROM batch_run_items WHERE run_id = $1 AND outcome <> 'not-enqueued' AND key IS NOT NULL`,
      [id],
    );
    return rows;
  }

  /** The same, with the transaction id each was expected to get (null where the run could not know it, e.g. redrive). */
  async coveredItems(id: string): Promise<{ bucket: string; key: string; transactionId: string | null }[]> {
    const { rows } = await this.client.query<{ bucket: string; key: string; transaction_id: string | null }>(
      `SELECT DISTINCT bucket, key, transaction_id FROM batch_run_items WHERE run_id = $1 AND outcome <> 'not-enqueued' AND key IS NOT NULL`,
      [id],
    );
    return rows.map((r) => ({ bucket: r.bucket, key: r.key, transactionId: r.transaction_id }));
  }

  async countByOutcome(id: string): Promise<Record<RunItem["outcome"], number>> {
    const { rows } = await this.client.query<{ outcome: RunItem["outcome"]; n: string }>(
      "SELECT outcome, count(*) AS n FROM batch_run_items WHERE run_id = $1 GROUP BY outcome",
      [id],
    );
    const counts: Record<RunItem["outcome"], number> = { enqueued: 0, "not-enqueued": 0, "already-processed": 0 };
    for (const row of rows) counts[row.outcome] = Number(row.n);
    return counts;
  }

  async notEnqueued(id: string): Promise<{ key: string | null; detail: string | null }[]> {
    const { rows } = await this.client.query<{ key: string | null; detail: string | null }>(
      `SELECT key, detail FROM batch_run_items WHERE run_id = $1 AND outcome = 'not-enqueued'`,
      [id],
    );
    return rows;
  }

  async list(kind: RunKind, limit = 20): Promise<RunRecord[]> {
    const { rows } = await this.client.query<RunRow>("SELECT * FROM batch_runs WHERE kind = $1 ORDER BY started_at DESC LIMIT $2", [kind, limit]);
    return rows.map(toRecord);
  }

  private async unlock(id: string): Promise<void> {
    await this.client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [lockKey(id)]);
  }

  private async tryLock(id: string): Promise<boolean> {
    const { rows } = await this.client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked", [lockKey(id)]);
    return rows[0].locked;
  }
}
