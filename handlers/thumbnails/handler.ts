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
// - Each announced object ends as a row (ok or failed with its reason), a
//   logged duplicate, or a retry: the message id goes into batchItemFailures
//   and SQS redelivers it until it succeeds or dead-letters.
//
// Records run one after another: the container has one database connection.
import type { S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse } from "aws-lambda";
import type { Database } from "../shared/db";
import { withKeys, type Logger } from "../shared/logger";
import type { ThumbnailHandlerConfig } from "./config";
import { parseInvocation, type NotificationBody } from "./events";
import { MALFORMED_MESSAGE_REASON, ThumbnailMetrics } from "./metrics";
import { processUpload, type UploadResult } from "./process-upload";
import type { DimensionedMetrics } from "../shared/metrics";

export interface ThumbnailHandlerDeps {
  s3: S3Client;
  database: Database;
  config: ThumbnailHandlerConfig;
  logger: Logger;
  metrics: DimensionedMetrics;
  /**
   * Messages not started while fewer than this many milliseconds remain are
   * handed back untouched, so a slow batch ends in retries, not a timeout
   * that would retry the whole batch. Default 5,000.
   */
  deadlineReserveMs?: number;
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

type RetryResult = Extract<UploadResult, { kind: "retry" }>;

export function createThumbnailHandler(deps: ThumbnailHandlerDeps): ThumbnailHandler {
  const metrics = new ThumbnailMetrics(deps.metrics);
  const reserveMs = deps.deadlineReserveMs ?? 5_000;
  const uploadDeps = { s3: deps.s3, database: deps.database, config: deps.config, metrics };

  /** Processes one notification; returns the object results, empty when there was nothing to do. */
  const processBody = async (body: NotificationBody, log: Logger, excerpt: string): Promise<UploadResult[]> => {
    switch (body.kind) {
      case "test-event":
        log.info("s3:TestEvent skipped");
        return [];
      case "malformed":
        log.error("malformed message acknowledged: not an S3 event notification, so no retry can help", {
          problem: body.problem,
          body: excerpt,
        });
        metrics.failed(MALFORMED_MESSAGE_REASON);
        return [];
      case "objects": {
        for (const ignored of body.ignored) log.info("not an ObjectCreated event; skipped", { event: ignored });
        const results: UploadResult[] = [];
        for (const object of body.objects) {
          const result = await processUpload(uploadDeps, object, log);
          results.push(result);
          // The message is retried whole; later objects in it would be redone anyway.
          if (result.kind === "retry") break;
        }
        return results;
      }
    }
  };

  return async (event, context) => {
    if (context !== undefined) deps.logger.addContext(context);
    const invocation = parseInvocation(event);
    try {
      if (invocation.kind === "unknown") {
        deps.logger.error("unsupported event", { problem: invocation.problem });
        throw new UnsupportedEventError(`The thumbnail function was invoked with ${invocation.problem}.`);
      }

      if (invocation.kind === "s3") {
        const results = await processBody(invocation.body, deps.logger, "(direct S3 event)");
        const retries = results.filter((result) => result.kind === "retry");
        if (retries.length > 0) {
          throw new RetryableInvocationError(`${retries.length} upload(s) failed transiently; the event is retried by Lambda.`);
        }
        return { results };
      }

      const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
      let databaseDown = false;
      for (const message of invocation.messages) {
        const log = withKeys(deps.logger, { messageId: message.messageId });
        if (databaseDown) {
          // Every message needs the database; trying each would only add connect timeouts.
          log.warn("not attempted: the database was unreachable earlier in this batch");
          batchItemFailures.push({ itemIdentifier: message.messageId });
          continue;
        }
        if (context !== undefined && context.getRemainingTimeInMillis() < reserveMs) {
          log.warn("not attempted: too little time left in this invocation", { remainingMs: context.getRemainingTimeInMillis() });
          batchItemFailures.push({ itemIdentifier: message.messageId });
          continue;
        }
        const results = await processBody(message.body, log, message.excerpt);
        const retry = results.find((result): result is RetryResult => result.kind === "retry");
        if (retry !== undefined) {
          batchItemFailures.push({ itemIdentifier: message.messageId });
          databaseDown = retry.databaseUnavailable;
        }
      }
      if (batchItemFailures.length > 0) {
        deps.logger.warn("batch done with messages to retry", { messages: invocation.messages.length, retry: batchItemFailures.length });
      }
      return { batchItemFailures };
    } finally {
      metrics.flush();
    }
  };
}
