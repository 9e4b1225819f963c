// A database outage played on the local pipeline: the embedded PostgreSQL is
// taken down, uploads arrive and fail, the server comes back after the
// outage, and the run counts what ended where. With the function's retry
// schedule every upload should end ok with no dead letter; without it
// (failed messages back after the visibility timeout only) redeliveries fail
// fast and use up maxReceiveCount within the outage. Used by the outage test
// and by `npm run bench:outage`, which plays the deployed settings on a
// smaller time scale.
import { survivableOutageSeconds, type RetrySchedule } from "../../contracts/retry-schedule";
import { startLocalPipeline } from "../../local/pipeline";
import { rowsForKeys } from "../../handlers/shared/images-table";
import { Pool } from "pg";
import sharp from "sharp";

export interface OutagePlan {
  uploads: number;
  outageSeconds: number;
  /** The queue's visibility timeout. */
  visibilitySeconds: number;
  /** maxReceiveCount of the queue, and the base of the backoff when `holdBack` is on. */
  schedule: RetrySchedule;
  /** The function's backoff (ChangeMessageVisibility); off plays the function without it. */
  holdBack: boolean;
  functionTimeoutSeconds?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface OutageResult {
  uploads: number;
  outageSeconds: number;
  ok: number;
  failed: number;
  deadLetters: number;
  missing: number;
  /** Seconds from the end of the outage until every upload had ended. */
  recoverySeconds: number;
  /** The longest outage the schedule is computed to survive (with holdBack). */
  survivableSeconds: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runOutage(plan: OutagePlan): Promise<OutageResult> {
  const log = plan.log ?? (() => undefined);
  const pipeline = await startLocalPipeline({
    // Its own embedded server: this one is stopped and started again.
    databaseUrl: undefined,
    visibilityTimeoutSeconds: plan.visibilitySeconds,
    maxReceiveCount: plan.schedule.maxReceiveCount,
    retryBaseSeconds: plan.schedule.baseSeconds,
    holdBackFailures: plan.holdBack,
    functionTimeoutSeconds: plan.functionTimeoutSeconds ?? Math.max(2, Math.floor(plan.visibilitySeconds / 2)),
    concurrency: plan.concurrency ?? 2,
    log,
  });
  const database = pipeline.database.embedded;
  if (!database) {
    await pipeline.stop();
    throw new Error("the outage needs the embedded PostgreSQL (unset DATABASE_URL)");
  }
  try {
    const keys = Array.from({ length: plan.uploads }, (_, i) => `outage/photo-${String(i).padStart(4, "0")}.jpg`);
    const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 40, g: 90, b: 160 } } })
      .jpeg()
      .toBuffer();
    await database.takeDown();
    log(`database down; uploading ${plan.uploads}`);
    const downAt = Date.now();
    for (const key of keys) await pipeline.upload({ key, body: image });
    await delay(Math.max(0, downAt + plan.outageSeconds * 1000 - Date.now()));
    await database.bringUp();
    const upAt = Date.now();
    log(`database up after ${((upAt - downAt) / 1000).toFixed(1)} s`);

    // Everything ends by the last scheduled attempt; the wait allows that plus slack.
    const schedule = plan.holdBack ? survivableOutageSeconds(plan.schedule) : plan.visibilitySeconds * plan.schedule.maxReceiveCount;
    const waited = await pipeline.waitForRows(keys, { timeoutMs: (schedule + plan.visibilitySeconds + 60) * 1000, pollMs: 500 });
    const recoverySeconds = (Date.now() - upAt) / 1000;
    const monitor = new Pool({ connectionString: pipeline.databaseUrl, max: 1 });
    try {
      const rows = await rowsForKeys(monitor, pipeline.buckets.raw, keys);
      return {
        uploads: plan.uploads,
        outageSeconds: plan.outageSeconds,
        ok: rows.filter((r) => r.status === "ok").length,
        failed: rows.filter((r) => r.status === "failed").length,
        deadLetters: waited.inDlq.length,
        missing: waited.missing.length,
        recoverySeconds: Math.round(recoverySeconds * 10) / 10,
        survivableSeconds: survivableOutageSeconds(plan.schedule),
      };
    } finally {
      await monitor.end();
    }
  } finally {
    await database.bringUp().catch(() => undefined);
    await pipeline.stop();
  }
}
