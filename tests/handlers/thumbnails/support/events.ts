// Builders for the events S3 and SQS deliver, and a Lambda context, shared by
// the thumbnail tests. Bodies are built as AWS builds them (keys encoded the
// S3 way), not as the handler would like them.
import type { Context, SQSEvent } from "aws-lambda";
import type { ObjectCreated } from "../../../../handlers/thumbnails/events";
import { encodeS3EventKey } from "../../../../local/s3-event";

/** An object a notification announces: what the handler parses out, less the event name the builders take apart. */
export type NotifiedObject = Omit<ObjectCreated, "eventName">;

/** S3 form-encodes keys in notifications: spaces as `+`, everything else but `/` and unreserved characters escaped. */
export const encodeKeyAsS3Does = encodeS3EventKey;

export function s3Records(objects: NotifiedObject[], eventName = "ObjectCreated:Put"): { Records: unknown[] } {
  return {
    Records: objects.map((object) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventTime: "2026-11-23T00:00:00.000Z",
      eventName,
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "raw-object-created",
        bucket: { name: object.bucket, arn: `arn:aws:s3:::${object.bucket}` },
        object: {
          key: encodeKeyAsS3Does(object.key),
          ...(object.size !== undefined ? { size: object.size } : {}),
          ...(object.eTag !== undefined ? { eTag: object.eTag } : {}),
          ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
          ...(object.sequencer !== undefined ? { sequencer: object.sequencer } : {}),
        },
      },
    })),
  };
}

export function s3Notification(objects: NotifiedObject[], eventName?: string): string {
  return JSON.stringify(s3Records(objects, eventName));
}

export function sqsBatch(messages: { messageId: string; body: string }[]): SQSEvent {
  return {
    Records: messages.map(({ messageId, body }) => ({
      messageId,
      receiptHandle: `rh-${messageId}`,
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "0",
        SenderId: "s3",
        ApproximateFirstReceiveTimestamp: "0",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:raw-events",
      awsRegion: "us-east-1",
    })),
  };
}

export function lambdaContext(requestId: string, remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "thumbnails",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:thumbnails",
    memoryLimitInMB: "512",
    awsRequestId: requestId,
    logGroupName: "/aws/lambda/thumbnails",
    logStreamName: "local",
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Collects what a piece of code writes to stdout and stderr (Powertools logs
 * INFO to stdout and WARN/ERROR to stderr; EMF goes to stdout), one parsed JSON
 * object per line, in order.
 */
export async function captureOutput<T>(work: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  let text = "";
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const callback = rest.find((arg): arg is () => void => typeof arg === "function");
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  try {
    const result = await work();
    return { result, lines: parseJsonLines(text) };
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index];
    });
  }
}

function parseJsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not ours (a library's plain output); ignore.
    }
  }
  return lines;
}

/** The EMF documents among captured lines that carry the given metric. */
export function emfWith(lines: Record<string, unknown>[], metric: string): Record<string, unknown>[] {
  return lines.filter((line) => {
    const aws = line._aws as { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] } | undefined;
    return aws?.CloudWatchMetrics?.some((set) => set.Metrics?.some((m) => m.Name === metric)) === true;
  });
}

/** Sums a metric's values over EMF documents (Powertools writes repeated points as an array). */
export function metricSum(lines: Record<string, unknown>[], metric: string, dimensions: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of emfWith(lines, metric)) {
    if (!Object.entries(dimensions).every(([name, value]) => line[name] === value)) continue;
    const value = line[metric];
    if (typeof value === "number") sum += value;
    else if (Array.isArray(value)) sum += value.reduce((a: number, b: unknown) => a + Number(b), 0);
  }
  return sum;
}
