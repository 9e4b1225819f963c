// Moves dead letters back to their source queue in batches: receive from the
// DLQ (hidden for the visibility window), send the same bodies and attributes
// to the source queue, and delete from the DLQ only what the send accepted,
// so a crash at any point leaves every message in at least one queue. The run
// is bounded by the DLQ depth at its start, so messages that fail again and
// come back during the run are not cycled forever.
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { objectsInBody } from "../../local/s3-event";
import { sendBatch, SQS_BATCH_LIMIT, type OutgoingMessage, type RetryPolicy } from "./enqueue";
import type { Progress } from "./progress";
import type { RunItem, RunRecord, RunStore } from "./run-store";

export interface RedriveSelection {
  dlqUrl: string;
  queueUrl: string;
  /** Stop after this many messages (default: the DLQ depth at the start). */
  maxMessages?: number;
  /** How long received dead letters stay hidden while being moved. */
  visibilityTimeoutSeconds?: number;
}

export interface RedriveDeps {
  sqs: SQSClient;
  store: RunStore;
  progress: Progress;
  signal?: AbortSignal;
  retry?: RetryPolicy;
  onBatch?: (batchesThisRun: number) => void;
  log?: (line: string) => void;
}

export interface RedriveOutcome {
  run: RunRecord;
  resumed: boolean;
  status: "completed" | "interrupted";
  movedThisRun: number;
  notMovedThisRun: number;
  batchesThisRun: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export async function runRedrive(selection: RedriveSelection, deps: RedriveDeps, claim: { resumeId?: string; fresh?: boolean } = {}): Promise<RedriveOutcome> {
  const log = deps.log ?? (() => undefined);
  const params = { dlqUrl: selection.dlqUrl, queueUrl: selection.queueUrl };
  const { run, resumed } = await deps.store.claim({ kind: "redrive", params, ...claim });
  log(resumed ? `resuming redrive ${run.id} (${run.enqueued} moved so far)` : `started redrive ${run.id}`);
  const outcome: RedriveOutcome = { run, resumed, status: "completed", movedThisRun: 0, notMovedThisRun: 0, batchesThisRun: 0 };
  await deps.store.markRunning(run.id);

  let handled = 0;
  let emptyReceives = 0;
  // From here on the run ends marked interrupted or completed, whatever fails: never left `running`.
  try {
    const depth = (await queueDepth(deps.sqs, selection.dlqUrl)).visible;
    const limit = selection.maxMessages ?? depth;
    await deps.store.setTotal(run.id, run.enqueued + limit);
    deps.progress.start(limit, 0);
    while (handled < limit && emptyReceives < 2) {
      if (deps.signal?.aborted) {
        outcome.status = "interrupted";
        break;
      }
      const { Messages } = await deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: selection.dlqUrl,
          MaxNumberOfMessages: Math.min(SQS_BATCH_LIMIT, limit - handled),
          WaitTimeSeconds: 1,
          VisibilityTimeout: selection.visibilityTimeoutSeconds ?? 60,
          MessageAttributeNames: ["All"],
        }),
      );
      const messages = Messages ?? [];
      if (messages.length === 0) {
        emptyReceives++;
        continue;
      }
      emptyReceives = 0;
      const items = await moveBatch(messages, selection, deps);
      const moved = items.filter((i) => i.outcome === "enqueued").length;
      outcome.movedThisRun += moved;
      outcome.notMovedThisRun += items.length - moved;
      outcome.batchesThisRun++;
      handled += messages.length;
      await deps.store.recordBatch(run.id, items, { moved: run.enqueued + outcome.movedThisRun });
      deps.progress.update(handled, { failed: outcome.notMovedThisRun });
      deps.onBatch?.(outcome.batchesThisRun);
    }
  } catch (error) {
    outcome.status = "interrupted";
    log(`redrive ${run.id} stopped by an error and is resumable: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  } finally {
    deps.progress.stop();
    await deps.store.finish(run.id, outcome.status);
  }
  outcome.run = (await deps.store.get(run.id)) ?? run;
  return outcome;
}

async function moveBatch(messages: Message[], selection: RedriveSelection, deps: RedriveDeps): Promise<RunItem[]> {
  const outgoing: OutgoingMessage[] = messages.map((m, i) => ({
    id: String(i),
    body: m.Body ?? "",
    ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0 ? { attributes: m.MessageAttributes } : {}),
  }));
  const result = await sendBatch(deps.sqs, selection.queueUrl, outgoing, deps.retry);
  const sentIndices = messages.map((_, i) => i).filter((i) => result.sent.has(String(i)));
  if (sentIndices.length > 0) {
    // Only after the send succeeded: a failure here redelivers, which the handler dedupes.
    await deps.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: selection.dlqUrl,
        Entries: sentIndices.map((i) => ({ Id: `d${i}`, ReceiptHandle: messages[i].ReceiptHandle ?? "" })),
      }),
    );
  }
  const items: RunItem[] = [];
  messages.forEach((m, i) => {
    const sentId = result.sent.get(String(i));
    const base: RunItem =
      sentId !== undefined ? { outcome: "enqueued", messageId: sentId } : { outcome: "not-enqueued", detail: result.failed.get(String(i)) ?? "not sent" };
    const refs = objectsInBody(m.Body) ?? [];
    // A body that names no object (a test event, garbage) is still moved and counted.
    if (refs.length === 0) items.push({ ...base, detail: base.detail ?? `message ${m.MessageId ?? "?"} names no S3 object` });
    for (const ref of refs) items.push({ ...base, bucket: ref.bucket, key: ref.key });
  });
  return items;
}
