// The end-of-run report: for every object a run handed to the queue, what
// became of it (ok, failed by reason, not processed yet), what could not be
// enqueued and why, and how many messages sit in the dead-letter queue.
// It counts every row the touched objects have, not one per key, and names
// the objects with more than one: duplicates cannot hide behind a key's
// newest row.
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Client } from "pg";
import { rowsForKeys, type StoredImageRow } from "../../handlers/shared/images-table";
import { queueDepth } from "./redrive";
import type { RunRecord, RunStore } from "./run-store";

export interface RunReport {
  runId: string;
  kind: string;
  status: string;
  objects: number;
  /** Sent to the queue by this run. */
  enqueued: number;
  /** Skipped because their current row already existed. */
  alreadyProcessed: number;
  /** Every row of the objects the run covered: one per upload of a key is expected, more are duplicates. */
  rows: number;
  /** Rows with status ok, of all those rows. */
  ok: number;
  failedByReason: Record<string, number>;
  /** Objects with more than one row, with their counts (at most 10 named). */
  objectsWithSeveralRows: number;
  objectsWithSeveralRowsSample: { key: string; rows: number }[];
  /** Objects whose row (the one the run expected, else any) is not there yet. */
  notYetProcessed: number;
  notYetProcessedSample: string[];
  notEnqueued: { key: string | null; reason: string | null }[];
  dlqDepth: number | null;
}

/** The DLQ of a queue, from its RedrivePolicy (undefined when it has none). */
export async function deadLetterQueueUrl(sqs: SQSClient, queueUrl: string): Promise<string | undefined> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["RedrivePolicy"] }));
  if (!Attributes?.RedrivePolicy) return undefined;
  const { deadLetterTargetArn } = JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string };
  const arn = deadLetterTargetArn?.split(":");
  if (!arn || arn.length < 6) return undefined;
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: arn[5], QueueOwnerAWSAccountId: arn[4] }));
  return QueueUrl;
}

export async function buildRunReport(run: RunRecord, deps: { store: RunStore; db: Client; sqs: SQSClient; dlqUrl?: string }): Promise<RunReport> {
  const items = await deps.store.coveredItems(run.id);
  const outcomes = await deps.store.countByOutcome(run.id);
  const expected = new Map<string, { bucket: string; key: string; transactionIds: Set<string> }>();
  for (const item of items) {
    const id = `${item.bucket}\u0000${item.key}`;
    const entry = expected.get(id) ?? { bucket: item.bucket, key: item.key, transactionIds: new Set<string>() };
    if (item.transactionId !== null) entry.transactionIds.add(item.transactionId);
    expected.set(id, entry);
  }
  const report: RunReport = {
    runId: run.id,
    kind: run.kind,
    status: run.status,
    objects: expected.size,
    enqueued: outcomes.enqueued,
    alreadyProcessed: outcomes["already-processed"],
    rows: 0,
    ok: 0,
    failedByReason: {},
    objectsWithSeveralRows: 0,
    objectsWithSeveralRowsSample: [],
    notYetProcessed: 0,
    notYetProcessedSample: [],
    notEnqueued: (await deps.store.notEnqueued(run.id)).map((r) => ({ key: r.key, reason: r.detail })),
    dlqDepth: null,
  };
  const byBucket = new Map<string, string[]>();
  for (const entry of expected.values()) byBucket.set(entry.bucket, [...(byBucket.get(entry.bucket) ?? []), entry.key]);
  for (const [bucket, keys] of byBucket) {
    const rowsOfKey = new Map<string, StoredImageRow[]>();
    for (const row of await rowsForKeys(deps.db, bucket, keys)) rowsOfKey.set(row.rawKey, [...(rowsOfKey.get(row.rawKey) ?? []), row]);
    for (const key of keys) {
      const rows = rowsOfKey.get(key) ?? [];
      report.rows += rows.length;
      for (const row of rows) {
        if (row.status === "ok") report.ok++;
        else report.failedByReason[row.failureReason ?? "unknown"] = (report.failedByReason[row.failureReason ?? "unknown"] ?? 0) + 1;
      }
      if (rows.length > 1) {
        report.objectsWithSeveralRows++;
        if (report.objectsWithSeveralRowsSample.length < 10) report.objectsWithSeveralRowsSample.push({ key, rows: rows.length });
      }
      const wanted = expected.get(`${bucket}\u0000${key}`)?.transactionIds ?? new Set<string>();
      const done = wanted.size > 0 ? [...wanted].every((id) => rows.some((row) => row.transactionId === id)) : rows.length > 0;
      if (!done) {
        report.notYetProcessed++;
        if (report.notYetProcessedSample.length < 10) report.notYetProcessedSample.push(key);
      }
    }
  }
  if (deps.dlqUrl) report.dlqDepth = (await queueDepth(deps.sqs, deps.dlqUrl)).visible;
  return report;
}

/** Waits until every enqueued object has a row, the DLQ holds the rest, or time is up. */
export async function waitForRunToSettle(
  run: RunRecord,
  deps: { store: RunStore; db: Client; sqs: SQSClient; dlqUrl?: string },
  timeoutMs: number,
  pollMs = 500,
): Promise<RunReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await buildRunReport(run, deps);
    if (report.notYetProcessed <= (report.dlqDepth ?? 0) || Date.now() >= deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function formatRunReport(report: RunReport): string {
  const lines = [
    `run ${report.runId} (${report.kind}, ${report.status}): ${report.objects} objects (${report.enqueued} sent, ${report.alreadyProcessed} already processed)`,
    `  rows               ${report.rows} for ${report.objects} objects`,
    `  ok                 ${report.ok}`,
  ];
  for (const [reason, n] of Object.entries(report.failedByReason).sort()) lines.push(`  failed: ${reason.padEnd(11)} ${n}`);
  lines.push(
    `  not yet processed  ${report.notYetProcessed}${report.notYetProcessedSample.length > 0 ? ` (e.g. ${report.notYetProcessedSample.slice(0, 3).join(", ")})` : ""}`,
  );
  if (report.notEnqueued.length > 0) {
    lines.push(`  not enqueued       ${report.notEnqueued.length}`);
    for (const item of report.notEnqueued.slice(0, 10)) lines.push(`    ${item.key ?? "(no key)"}: ${item.reason ?? "unknown"}`);
  }
  lines.push(`  in the DLQ         ${report.dlqDepth ?? "unknown (no DLQ found)"}`);
  if (report.objectsWithSeveralRows > 0) {
    const sample = report.objectsWithSeveralRowsSample
      .slice(0, 5)
      .map((o) => `${o.key} (${o.rows} rows)`)
      .join(", ");
    lines.push(`  MORE THAN ONE ROW  ${report.objectsWithSeveralRows} objects, e.g. ${sample}: one row per upload of a key is expected; more are duplicates`);
  }
  return lines.join("\n");
}
