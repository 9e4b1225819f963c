// A reprocess run: walks the raw objects (listing or key file), sends an S3
// event notification per object to the queue in SQS batches, and checkpoints
// after every batch, so an interrupted run resumes after the last batch it
// fully enqueued. Sending an object twice is harmless, whatever state the
// queue is in (the object queued, in flight, in the DLQ or done): the
// transaction id the handler derives depends on the object alone (its
// version, or its ETag and Last-Modified), never on the event, so the
// original notification and this run's event name one transaction, one row
// and one set of thumbnails. Each item records the id it expects.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { GetBucketVersioningCommand, type S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { s3EventNotificationBody } from "../../local/s3-event";
import { SQS_BATCH_LIMIT, sendBatch, type RetryPolicy } from "./enqueue";
import { countKeysInFile, countObjects, describeObject, keysFromFile, listObjects, type SourcedObject } from "./object-source";
import type { Progress } from "./progress";
import type { RunItem, RunRecord, RunStore } from "./run-store";
import { transactionIdFor } from "../../handlers/thumbnails/identity";
import type { StoredImageRow } from "../../handlers/shared/images-table";

export interface ReprocessSelection {
  bucket: string;
  queueUrl: string;
  region: string;
  prefix?: string;
  /** ISO 8601 instant; objects modified at or after it. */
  since?: string;
  keysFile?: string;
  /** Send objects even when their current row exists (a no-op for the handler, but a real message each). */
  includeProcessed?: boolean;
}

export interface ReprocessDeps {
  s3: S3Client;
  sqs: SQSClient;
  store: RunStore;
  /** Rows of the given raw keys (images table), to skip objects already processed. */
  lookupRows: (bucket: string, keys: string[]) => Promise<StoredImageRow[]>;
  progress: Progress;
  /** Aborting stops after the batch in flight; the run is marked interrupted. */
  signal?: AbortSignal;
  retry?: RetryPolicy;
  /** Called after each batch is checkpointed (tests stop runs with it). */
  onBatch?: (batchesThisRun: number) => void;
  log?: (line: string) => void;
}

export interface ReprocessOutcome {
  run: RunRecord;
  resumed: boolean;
  status: "completed" | "interrupted";
  enqueuedThisRun: number;
  alreadyProcessedThisRun: number;
  notEnqueuedThisRun: number;
  batchesThisRun: number;
}

/** The parameters that identify a run's work; a key file counts by content, not name. */
export function reprocessParams(selection: ReprocessSelection): Record<string, unknown> {
  const params: Record<string, unknown> = { bucket: selection.bucket, queueUrl: selection.queueUrl };
  if (selection.keysFile) {
    params.keysFileSha256 = createHash("sha256").update(readFileSync(selection.keysFile)).digest("hex");
  } else {
    if (selection.prefix) params.prefix = selection.prefix;
    if (selection.since) params.since = new Date(selection.since).toISOString();
  }
  if (selection.includeProcessed) params.includeProcessed = true;
  return params;
}

export function validateSelection(selection: ReprocessSelection): void {
  if (selection.keysFile && (selection.prefix || selection.since)) {
    throw new Error("--keys names exact objects; it cannot be combined with --prefix or --since");
  }
  if (selection.since !== undefined && Number.isNaN(new Date(selection.since).getTime())) {
    throw new Error(`--since ${JSON.stringify(selection.since)} is not a date; use ISO 8601, e.g. 2026-11-20T00:00:00Z`);
  }
}

export async function runReprocess(
  selection: ReprocessSelection,
  deps: ReprocessDeps,
  claim: { resumeId?: string; fresh?: boolean } = {},
): Promise<ReprocessOutcome> {
  validateSelection(selection);
  const log = deps.log ?? (() => undefined);
  const { run, resumed, busyPeers } = await deps.store.claim({ kind: "reprocess", params: reprocessParams(selection), ...claim });
  if (busyPeers.length > 0)
    log(`runs ${busyPeers.join(", ")} with the same parameters are active elsewhere; starting ${run.id} alongside (repeats are no-ops)`);
  log(resumed ? `resuming run ${run.id} from ${describeCheckpoint(run)}` : `started run ${run.id}`);
  const outcome: ReprocessOutcome = {
    run,
    resumed,
    status: "completed",
    enqueuedThisRun: 0,
    alreadyProcessedThisRun: 0,
    notEnqueuedThisRun: 0,
    batchesThisRun: 0,
  };
  if (run.status === "completed") return outcome;
  await deps.store.markRunning(run.id);

  // From here on the run ends marked interrupted or completed, whatever fails: never left `running`.
  try {
    const since = selection.since ? new Date(selection.since) : undefined;
    const listing = { bucket: selection.bucket, prefix: selection.prefix, since };
    const total = selection.keysFile ? await countKeysInFile(selection.keysFile) : await countObjects(deps.s3, listing);
    await deps.store.setTotal(run.id, total);
    const needVersion = await bucketIsVersioned(deps.s3, selection.bucket);
    const pages = selection.keysFile
      ? keysFromFile(selection.keysFile, selection.bucket, run.checkpoint.linesDone ?? 0)
      : listObjects(deps.s3, listing, run.checkpoint.afterKey);
    const before = await deps.store.countByOutcome(run.id);
    let done = before.enqueued + before["not-enqueued"] + before["already-processed"];
    deps.progress.start(Math.max(total, done), Math.min(done, total));
    for await (const page of pages) {
      for (let i = 0; i < page.length; i += SQS_BATCH_LIMIT) {
        if (deps.signal?.aborted) {
          outcome.status = "interrupted";
          break;
        }
        const chunk = page.slice(i, i + SQS_BATCH_LIMIT);
        const items = await enqueueChunk(chunk, selection, needVersion, deps);
        await deps.store.recordBatch(run.id, items, chunk[chunk.length - 1].checkpointAfter);
        outcome.enqueuedThisRun += items.filter((item) => item.outcome === "enqueued").length;
        outcome.alreadyProcessedThisRun += items.filter((item) => item.outcome === "already-processed").length;
        outcome.notEnqueuedThisRun += items.filter((item) => item.outcome === "not-enqueued").length;
        outcome.batchesThisRun++;
        done += items.length;
        deps.progress.update(Math.min(done, total), { failed: run.notEnqueued + outcome.notEnqueuedThisRun });
        deps.onBatch?.(outcome.batchesThisRun);
      }
      if (outcome.status === "interrupted") break;
    }
  } catch (error) {
    outcome.status = "interrupted";
    log(`run ${run.id} stopped by an error and is resumable: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  } finally {
    deps.progress.stop();
    await deps.store.finish(run.id, outcome.status);
  }
  outcome.run = (await deps.store.get(run.id)) ?? run;
  return outcome;
}

async function enqueueChunk(chunk: SourcedObject[], selection: ReprocessSelection, needVersion: boolean, deps: ReprocessDeps): Promise<RunItem[]> {
  const described = await Promise.all(chunk.map((o) => describeObject(deps.s3, o, needVersion)));
  const rows = selection.includeProcessed
    ? []
    : await deps.lookupRows(
        selection.bucket,
        chunk.map((o) => o.ref.key),
      );
  const items: RunItem[] = [];
  const messages: { id: string; ref: SourcedObject["ref"]; transactionId?: string; body: string }[] = [];
  for (const [index, d] of described.entries()) {
    if (!d.ok) {
      items.push({ bucket: d.ref.bucket, key: d.ref.key, outcome: "not-enqueued", detail: d.reason });
      continue;
    }
    const transactionId = expectedTransactionId(d.ref, d.lastModified);
    if (transactionId !== undefined && rows.some((row) => row.transactionId === transactionId)) {
      items.push({ bucket: d.ref.bucket, key: d.ref.key, transactionId, outcome: "already-processed" });
      continue;
    }
    messages.push({
      id: String(index),
      ref: d.ref,
      ...(transactionId !== undefined ? { transactionId } : {}),
      body: s3EventNotificationBody(d.ref, { region: selection.region, configurationId: "pipectl-reprocess" }),
    });
  }
  if (messages.length > 0) {
    const result = await sendBatch(deps.sqs, selection.queueUrl, messages, deps.retry);
    for (const m of messages) {
      const messageId = result.sent.get(m.id);
      if (messageId !== undefined)
        items.push({
          bucket: m.ref.bucket,
          key: m.ref.key,
          messageId,
          outcome: "enqueued",
          ...(m.transactionId !== undefined ? { transactionId: m.transactionId } : {}),
        });
      else items.push({ bucket: m.ref.bucket, key: m.ref.key, outcome: "not-enqueued", detail: result.failed.get(m.id) ?? "not sent" });
    }
  }
  return items;
}

/** The id the handler will derive for the object as it is now; undefined when its Last-Modified is unknown. */
function expectedTransactionId(ref: SourcedObject["ref"], lastModified: Date | undefined): string | undefined {
  if (ref.versionId !== undefined) return transactionIdFor(ref);
  return lastModified === undefined ? undefined : transactionIdFor({ bucket: ref.bucket, key: ref.key, eTag: ref.eTag, lastModified });
}

async function bucketIsVersioned(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    const { Status } = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return Status === "Enabled" || Status === "Suspended";
  } catch {
    // Without permission to ask, ETag-only events are still correct for unversioned buckets.
    return false;
  }
}

function describeCheckpoint(run: RunRecord): string {
  if (run.checkpoint.afterKey !== undefined) return `after key ${JSON.stringify(run.checkpoint.afterKey)} (${run.enqueued} enqueued)`;
  if (run.checkpoint.linesDone !== undefined) return `line ${run.checkpoint.linesDone + 1} of the key file (${run.enqueued} enqueued)`;
  return "the beginning";
}
