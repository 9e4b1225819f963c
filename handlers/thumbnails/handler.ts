// The thumbnail function: an SQS batch of S3 notifications in, the messages
// to retry out (ReportBatchItemFailures). A direct S3 event is accepted too.
//
// Per message:
// - `s3:TestEvent`: skipped and acknowledged.
// - Malformed (not an S3 notification): logged with an excerpt, counted as
//   ImagesFailed{reason=malformed-message}, and acknowledged. No retry can turn
//   it into a notification, so sending it round the queue until the DLQ would
//   only delay the same log line; the error log and the metric are where an
//   operator sees it.
// - Each announced object of the raw bucket ends as a row (ok or failed with
//   its reason), a logged duplicate, or a retry: the message id goes into
//   batchItemFailures and SQS redelivers it until it succeeds or
//   dead-letters. A retried message is first held back by the shared retry
//   schedule (ChangeMessageVisibility, doubling with its receive count), so an
//   outage shorter than the schedule survives without dead letters.
// - An object of another bucket is logged, counted and acknowledged without
//   a row; one of the thumbnails bucket is a wiring error (the recursive
//   loop): logged as an error, counted, never processed, and refused, so it
//   ends in the DLQ, whose alarm pages.
//
// Records run one after another: the container has one database connection.
import type { S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse } from "aws-lambda";
import type { Database } from "../shared/db";
import { withKeys, type Logger } from "../shared/logger";
import { retryDelaySeconds } from "../../contracts/retry-schedule";
import { classifyBucket, FOREIGN_BUCKET_REASON, WIRING_ERROR_REASON } from "./bucket-check";
import type { ThumbnailHandlerConfig } from "./config";
import { parseInvocation, type NotificationBody, type QueuedMessage } from "./events";
import { MALFORMED_MESSAGE_REASON, ThumbnailMetrics } from "./metrics";
import { processUpload, type UploadResult } from "./process-upload";
import type { DimensionedMetrics } from "../shared/metrics";
import type { MessageHolder } from "./visibility";
import { publishOwedEvents, type EventSink } from "../shared/result-events";

export interface ThumbnailHandlerDeps {
  s3: S3Client;
  database: Database;
  config: ThumbnailHandlerConfig;
  logger: Logger;
  metrics: DimensionedMetrics;
  /**
   * Messages not started while fewer than this many milliseconds remain are
   * handed back untouched, so a slow batch ends in retries, not a timeout
   * that would retry the whole batch. Default: 5,000, and never more than a
   * fifth of the time the invocation started with (a short timeout would
   * otherwise leave no time to start anything).
   */
  deadlineReserveMs?: number;
  /**
   * Holds transiently failed messages back by the retry schedule. Without it
   * (tests, a function not fed by SQS) they return after the queue's own
   * visibility timeout.
   */
  retry?: { baseSeconds: number; hold: MessageHolder };
  /**
   * Where result events go (the region's bus). After a batch that wrote rows,
   * the events they are owed are sent; whatever fails stays owed for the
   * result-publisher, and never fails or holds the batch.
   */
  results?: EventSink;
  /** Called after each record, before the next: frees what the record held when memory is tight (memory.ts). */
  releaseMemory?: () => void;
}

/** What a direct S3 invocation returns; transient failures throw instead, so Lambda retries the event. */
export interface DirectEventSummary {
  results: UploadResult[];
}

export type ThumbnailHandler = (event: unknown, context?: Context) => Promise<SQSBatchResponse | DirectEventSummary>;

/** Thrown for a direct S3 event with a transient failure: async invocation retries it, then its failure destination. */
export class RetryableInvocationError extends Error {
  override name = "RetryableInvocationError";
}

/** Thrown for an event that is neither an SQS batch nor an S3 event: a wiring mistake, not data. */
export class UnsupportedEventError extends Error {
  override name = "UnsupportedEventError";
}

/** Thrown for a direct event from the thumbnails bucket: the deployment wires the function to its own output. */
export class WiringError extends Error {
  override name = "WiringError";
}

/** The default deadline reserve (deadlineReserveMs). */
const DEFAULT_RESERVE_MS = 5_000;

type RetryResult = Extract<UploadResult, { kind: "retry" }>;
/** What one message came to: its objects' results, and whether it named the thumbnails bucket. */
interface BodyOutcome {
  results: UploadResult[];
  wiringError: boolean;
}

export function createThumbnailHandler(deps: ThumbnailHandlerDeps): ThumbnailHandler {
  const metrics = new ThumbnailMetrics(deps.metrics);
  const uploadDeps = { s3: deps.s3, database: deps.database, config: deps.config, metrics };

  /** Processes one notification; returns the object results, empty when there was nothing to do. */
  const processBody = async (body: NotificationBody, log: Logger, excerpt: string): Promise<BodyOutcome> => {
    const outcome: BodyOutcome = { results: [], wiringError: false };
    switch (body.kind) {
      case "test-event":
        log.info("s3:TestEvent skipped");
        return outcome;
      case "malformed":
        log.error("malformed message acknowledged: not an S3 event notification, so no retry can help", {
          problem: body.problem,
          body: excerpt,
        });
        metrics.failed(MALFORMED_MESSAGE_REASON);
        return outcome;
      case "objects": {
        for (const ignored of body.ignored) log.info("not an ObjectCreated event; skipped", { event: ignored });
        for (const object of body.objects) {
          const verdict = classifyBucket(object.bucket, deps.config);
          if (verdict === "thumbnails") {
            log.error("wiring error: the thumbnails bucket notifies this function, which would loop on its own output; refused, not processed", {
              bucket: object.bucket,
              key: object.key,
              rawBucket: deps.config.rawBucket,
            });
            metrics.failed(WIRING_ERROR_REASON);
            outcome.wiringError = true;
            continue;
          }
          if (verdict === "foreign") {
            log.warn("event for a bucket other than the raw bucket acknowledged without a row", {
              bucket: object.bucket,
              key: object.key,
              rawBucket: deps.config.rawBucket,
            });
            metrics.failed(FOREIGN_BUCKET_REASON);
            continue;
          }
          const result = await processUpload(uploadDeps, object, log);
          deps.releaseMemory?.();
          outcome.results.push(result);
          // The message is retried whole; later objects in it would be redone anyway.
          if (result.kind === "retry") break;
        }
        return outcome;
      }
    }
  };

  /** Hides each failed message for its backoff; a refusal only shortens the wait to the queue's own timeout. */
  const holdBack = async (failed: QueuedMessage[]): Promise<void> => {
    if (deps.retry === undefined || failed.length === 0) return;
    const { baseSeconds, hold } = deps.retry;
    const plan = failed
      .filter((m) => m.receiptHandle !== "")
      .map((m) => ({ receiptHandle: m.receiptHandle, seconds: retryDelaySeconds(m.receiveCount, baseSeconds) }));
    try {
      const refused = await hold(plan);
      deps.logger.info("failed messages held back before their next attempt", {
        messages: plan.length,
        delaysSeconds: [...new Set(plan.map((p) => p.seconds))].sort((a, b) => a - b),
        ...(refused.length > 0 ? { refused: refused.length } : {}),
      });
    } catch (error) {
      deps.logger.warn("could not hold failed messages back; they return after the queue's visibility timeout", { error });
    }
  };

  /** Sends owed result events once rows are committed; a failure only leaves them to the result-publisher. */
  const announce = async (results: readonly UploadResult[]): Promise<void> => {
    const written = results.filter((r) => r.kind === "ok" || r.kind === "failed").length;
    if (deps.results === undefined || written === 0) return;
    try {
      await publishOwedEvents(deps.database, deps.results, { limit: written + 20, logger: deps.logger });
    } catch (error) {
      deps.logger.warn("result events not sent now; the result-publisher sends them", { error });
    }
  };

  return async (event, context) => {
    if (context !== undefined) deps.logger.addContext(context);
    const invocation = parseInvocation(event);
    const reserveMs =
      deps.deadlineReserveMs ?? (context !== undefined ? Math.min(DEFAULT_RESERVE_MS, context.getRemainingTimeInMillis() / 5) : DEFAULT_RESERVE_MS);
    try {
      if (invocation.kind === "unknown") {
        deps.logger.error("unsupported event", { problem: invocation.problem });
        throw new UnsupportedEventError(`The thumbnail function was invoked with ${invocation.problem}.`);
      }

      if (invocation.kind === "s3") {
        const { results, wiringError } = await processBody(invocation.body, deps.logger, "(direct S3 event)");
        await announce(results);
        if (wiringError)
          throw new WiringError(`The thumbnails bucket ${deps.config.thumbnailsBucket} invokes the thumbnail function; only ${deps.config.rawBucket} may.`);
        const retries = results.filter((result) => result.kind === "retry");
        if (retries.length > 0) {
          throw new RetryableInvocationError(`${retries.length} upload(s) failed transiently; the event is retried by Lambda.`);
        }
        return { results };
      }

      const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
      /** Failed for a reason that may pass: held back by the retry schedule before SQS hands them out again. */
      const transient: QueuedMessage[] = [];
      let databaseDown = false;
      const batchResults: UploadResult[] = [];
      for (const message of invocation.messages) {
        const log = withKeys(deps.logger, { messageId: message.messageId });
        if (databaseDown) {
          // Every message needs the database; trying each would only add connect timeouts.
          log.warn("not attempted: the database was unreachable earlier in this batch");
          batchItemFailures.push({ itemIdentifier: message.messageId });
          transient.push(message);
          continue;
        }
        if (context !== undefined && context.getRemainingTimeInMillis() < reserveMs) {
          log.warn("not attempted: too little time left in this invocation", { remainingMs: context.getRemainingTimeInMillis() });
          batchItemFailures.push({ itemIdentifier: message.messageId });
          continue;
        }
        const { results, wiringError } = await processBody(message.body, log, message.excerpt);
        batchResults.push(...results);
        const retry = results.find((result): result is RetryResult => result.kind === "retry");
        if (retry !== undefined) {
          batchItemFailures.push({ itemIdentifier: message.messageId });
          transient.push(message);
          databaseDown = retry.databaseUnavailable;
        } else if (wiringError) {
          batchItemFailures.push({ itemIdentifier: message.messageId });
        }
      }
      await holdBack(transient);
      await announce(batchResults);
      if (batchItemFailures.length > 0) {
        deps.logger.warn("batch done with messages to retry", { messages: invocation.messages.length, retry: batchItemFailures.length });
      }
      return { batchItemFailures };
    } finally {
      metrics.flush();
    }
  };
}
