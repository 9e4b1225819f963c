// Plays S3's bucket notification configuration locally: every ObjectCreated
// in the raw bucket becomes an S3 event notification message on the queue,
// with the body S3 would send (key URL-encoded, spaces as `+`).
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { LocalAws } from "./local-aws";
import { s3EventNotificationBody, toSequencer } from "./s3-event";

export interface NotificationRouter {
  /** Notifications whose send has not finished yet. */
  pending(): number;
  /** Stops routing and waits for the sends in flight. */
  stop(): Promise<void>;
}

export function routeObjectCreated(
  aws: LocalAws,
  sqs: SQSClient,
  options: { bucket: string; queueUrl: string; onError?: (error: unknown, key: string) => void; onSent?: (body: string) => void },
): NotificationRouter {
  const inFlight = new Set<Promise<void>>();
  const unsubscribe = aws.onObjectCreated((record) => {
    if (record.s3.bucket.name !== options.bucket) return;
    const { key, size, eTag, versionId, sequencer } = record.s3.object;
    const body = s3EventNotificationBody(
      { bucket: options.bucket, key, size, eTag, versionId, sequencer: toSequencer(sequencer) },
      { region: aws.region, eventName: record.eventName, eventTime: new Date(record.eventTime) },
    );
    const send = sendWithRetry(sqs, options.queueUrl, body)
      .then(() => options.onSent?.(body))
      .catch((error: unknown) => options.onError?.(error, key))
      .finally(() => inFlight.delete(send));
    inFlight.add(send);
  });
  return {
    pending: () => inFlight.size,
    async stop() {
      unsubscribe();
      await Promise.all([...inFlight]);
    },
  };
}

// S3 retries notification delivery; so does this, a few times.
async function sendWithRetry(sqs: SQSClient, queueUrl: string, body: string, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
