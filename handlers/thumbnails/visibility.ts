// Holding a failed message back: ChangeMessageVisibility on the queue it came
// from, by the delay the shared retry schedule gives for its receive count.
// The decision is retryDelaySeconds (pure); this is the one AWS call.
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";

export interface HoldBack {
  receiptHandle: string;
  seconds: number;
}

/** Hides messages for their backoff; returns the receipt handles SQS refused (they come back after the queue's own timeout). */
export type MessageHolder = (messages: HoldBack[]) => Promise<string[]>;

const SQS_BATCH_LIMIT = 10;

export function sqsMessageHolder(sqs: SQSClient, queueUrl: string): MessageHolder {
  return async (messages) => {
    const refused: string[] = [];
    for (let i = 0; i < messages.length; i += SQS_BATCH_LIMIT) {
      const batch = messages.slice(i, i + SQS_BATCH_LIMIT);
      const out = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, index) => ({ Id: String(index), ReceiptHandle: m.receiptHandle, VisibilityTimeout: m.seconds })),
        }),
      );
      for (const failed of out.Failed ?? []) refused.push(batch[Number(failed.Id)]?.receiptHandle ?? "?");
    }
    return refused;
  };
}
