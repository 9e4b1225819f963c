// The end-of-run report: for every object a run handed to the queue, what
// became of it (ok, failed by reason, not processed yet), what could not be
// enqueued and why, and how many messages sit in the dead-letter queue.
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Client } from "pg";
import { countStatuses, rowsForKeys } from "../images-table";
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
  ok: number;
  failedByReason: Record<string, number>;
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

export async function buildRunReport(
  run: RunRecord,
  deps: { store: RunStore; db: Client; sqs: SQSClient; dlqUrl?: string },
): Promise<RunReport> {
  const objects = await deps.store.coveredObjects(run.id);
  const outcomes = await deps.store.countByOutcome(run.id);
  const byBucket = new Map<string, string[]>();
  for (const o of objects) byBucket.set(o.bucket, [...(byBucket.get(o.bucket) ?? []), o.key]);
  const report: RunReport = {
    runId: run.id,
    kind: run.kind,
    status: run.status,
    objects: objects.length,
    enqueued: outcomes.enqueued,
    alreadyProcessed: outcomes["already-processed"],
    ok: 0,
    failedByReason: {},
    notYetProcessed: 0,
    notYetProcessedSample: [],
    notEnqueued: (await deps.store.notEnqueued(run.id)).map((r) => ({ key: r.key, reason: r.detail })),
    dlqDepth: null,
  };
  for (const [bucket, keys] of byBucket) {
    const counts = countStatuses(keys, await rowsForKeys(deps.db, bucket, keys));
    report.ok += counts.ok;
    for (const [reason, n] of Object.entries(counts.failedByReason)) report.failedByReason[reason] = (report.failedByReason[reason] ?? 0) + n;
    report.notYetProcessed += counts.missing.length;
    report.notYetProcessedSample.push(...counts.missing.slice(0, 10 - report.notYetProcessedSample.length));
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
    `  ok                 ${report.ok}`,
  ];
  for (const [reason, n] of Object.entries(report.failedByReason).sort()) lines.push(`  failed: ${reason.padEnd(11)} ${n}`);
  lines.push(`  not yet processed  ${report.notYetProcessed}${report.notYetProcessedSample.length > 0 ? ` (e.g. ${report.notYetProcessedSample.slice(0, 3).join(", ")})` : ""}`);
  if (report.notEnqueued.length > 0) {
    lines.push(`  not enqueued       ${report.notEnqueued.length}`);
    for (const item of report.notEnqueued.slice(0, 10)) lines.push(`    ${item.key ?? "(no key)"}: ${item.reason ?? "unknown"}`);
  }
  lines.push(`  in the DLQ         ${report.dlqDepth ?? "unknown (no DLQ found)"}`);
  return lines.join("\n");
}
