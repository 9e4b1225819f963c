// A local stand-in for Lambda's SQS event source mapping: `concurrency`
// pollers, each like one warm function container, long-poll batches of up to
// 10 messages, invoke the handler, delete what succeeded and leave the
// reported failures to reappear after the visibility timeout, so the queue's
// RedrivePolicy dead-letters them after maxReceiveCount. Capping `concurrency`
// is the backpressure: a burst waits in the queue instead of opening more
// database connections.
import { randomUUID } from "node:crypto";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { succeededMessageIds, toSqsEventRecord, type InvocationResult, type LambdaContext, type SqsBatchHandler } from "./sqs-event";

export interface BatchOutcome {
  worker: number;
  received: number;
  succeeded: number;
  failed: number;
  /** Set when the handler threw or timed out (the whole batch failed). */
  error?: string;
  ms: number;
}

export interface EventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** One handler per worker, as each Lambda container has its own module state (and pool). */
  createHandler: (worker: number) => SqsBatchHandler;
  /** Concurrent invocations: the mapping's maximumConcurrency. */
  concurrency: number;
  batchSize?: number;
  waitTimeSeconds?: number;
  functionTimeoutMs?: number;
  functionName?: string;
  onBatch?: (outcome: BatchOutcome) => void;
  onError?: (error: unknown) => void;
}

export interface EventSource {
  /** Stops polling; resolves when every in-flight invocation has finished. */
  stop(): Promise<void>;
  /** Invocations in flight right now. */
  inFlight(): number;
}

export function startSqsEventSource(options: EventSourceOptions): EventSource {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new Error(`event source concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const batchSize = Math.min(10, Math.max(1, options.batchSize ?? 10));
  const abort = new AbortController();
  let busy = 0;

  async function poll(worker: number): Promise<void> {
    const handler = options.createHandler(worker);
    while (!abort.signal.aborted) {
      let messages: Message[];
      try {
        const received = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (abort.signal.aborted) return;
        options.onError?.(error);
        await delay(500);
        continue;
      }
      if (messages.length === 0) continue;
      busy++;
      try {
        await invokeBatch(worker, handler, messages);
      } finally {
        busy--;
      }
    }
  }

  async function invokeBatch(worker: number, handler: SqsBatchHandler, messages: Message[]): Promise<void> {
    const started = Date.now();
    const records = messages.map((m) => toSqsEventRecord(m, options.queueArn, options.region));
    const timeoutMs = options.functionTimeoutMs ?? 30_000;
    const result = await invokeWithTimeout(handler, { Records: records }, lambdaContext(options.functionName ?? "thumbnails", started, timeoutMs), timeoutMs);
    const ids = records.map((r) => r.messageId);
    const ok = new Set(succeededMessageIds(ids, result));
    const toDelete = records.filter((r) => ok.has(r.messageId));
    if (toDelete.length > 0) {
      try {
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      } catch (error) {
        // Undeleted successes come back and are deduplicated by the handler, as in AWS.
        options.onError?.(error);
      }
    }
    const outcome: BatchOutcome = {
      worker,
      received: records.length,
      succeeded: toDelete.length,
      failed: records.length - toDelete.length,
      ms: Date.now() - started,
    };
    if (result.kind === "threw") outcome.error = errorMessage(result.error);
    options.onBatch?.(outcome);
  }

  const workers = Array.from({ length: options.concurrency }, (_, i) => poll(i));
  return {
    inFlight: () => busy,
    async stop() {
      abort.abort();
      await Promise.all(workers);
    },
  };
}

async function invokeWithTimeout(
  handler: SqsBatchHandler,
  event: Parameters<SqsBatchHandler>[0],
  context: LambdaContext,
  timeoutMs: number,
): Promise<InvocationResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<InvocationResult>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "threw", error: new Error(`Task timed out after ${timeoutMs} ms`) }), timeoutMs);
  });
  try {
    return await Promise.race([
      handler(event, context).then(
        (value): InvocationResult => ({ kind: "returned", value }),
        (error: unknown): InvocationResult => ({ kind: "threw", error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function lambdaContext(functionName: string, startedAt: number, timeoutMs: number): LambdaContext {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, startedAt + timeoutMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
