// Sends message bodies to a queue with SendMessageBatch (10 per call, the SQS
// maximum), retrying the entries SQS reports as failed. A body always travels
// as the message, never in a URL, so size is bounded by SQS (256 KiB) only.
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from "@aws-sdk/client-sqs";

export const SQS_BATCH_LIMIT = 10;

export interface OutgoingMessage {
  /** Caller's id for the entry, unique within one call. */
  id: string;
  body: string;
  attributes?: SendMessageBatchRequestEntry["MessageAttributes"];
}

export interface SendOutcome {
  /** Entry id -> SQS MessageId. */
  sent: Map<string, string>;
  /** Entry id -> why it could not be sent after every attempt. */
  failed: Map<string, string>;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200 };

/** Sender faults (bad entry) never succeed on retry; everything else may. */
export function isRetryable(failure: { SenderFault?: boolean; Code?: string }): boolean {
  return failure.SenderFault !== true;
}

export function backoffMs(attempt: number, policy: RetryPolicy): number {
  return policy.baseDelayMs * 2 ** attempt;
}

/** Sends up to 10 messages, retrying transient entry failures and whole-call errors. */
export async function sendBatch(
  sqs: SQSClient,
  queueUrl: string,
  messages: OutgoingMessage[],
  policy: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
): Promise<SendOutcome> {
  if (messages.length > SQS_BATCH_LIMIT) throw new Error(`a batch holds at most ${SQS_BATCH_LIMIT} messages, got ${messages.length}`);
  const outcome: SendOutcome = { sent: new Map(), failed: new Map() };
  // SQS batch entry ids allow [A-Za-z0-9_-] only; map ours to indices.
  let pending = messages.map((m, i) => ({ ...m, entryId: `m${i}` }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    const lastAttempt = attempt + 1 >= policy.attempts;
    try {
      const response = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map((m) => ({ Id: m.entryId, MessageBody: m.body, MessageAttributes: m.attributes })),
        }),
        signal ? { abortSignal: signal } : {},
      );
      for (const ok of response.Successful ?? []) {
        const message = pending.find((m) => m.entryId === ok.Id);
        if (message) outcome.sent.set(message.id, ok.MessageId ?? "");
      }
      const retry: typeof pending = [];
      for (const failure of response.Failed ?? []) {
        const message = pending.find((m) => m.entryId === failure.Id);
        if (!message) continue;
        const reason = `${failure.Code ?? "error"}: ${failure.Message ?? "no message"}`;
        if (isRetryable(failure) && !lastAttempt) retry.push(message);
        else outcome.failed.set(message.id, reason);
      }
      pending = retry;
    } catch (error) {
      if (signal?.aborted) throw error;
      if (lastAttempt) {
        for (const m of pending) outcome.failed.set(m.id, error instanceof Error ? error.message : String(error));
        pending = [];
      }
    }
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, policy)));
  }
  return outcome;
}
