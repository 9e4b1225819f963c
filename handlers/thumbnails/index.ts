// Entry point of the `thumbnails` function (handler string index.handler).
// Clients are built once per container, on the first invocation, and reused:
// one S3 client, one database pool of one connection.
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { eventBridgeSink } from "../shared/eventbridge-sink";
import type { Context } from "aws-lambda";
import { databaseFromEnv } from "../shared/db";
import { COMMON_ENVIRONMENT, FUNCTION_ENVIRONMENTS, readEnvironment, type Env } from "../../contracts";
import { createLogger, errorFields, type Logger } from "../shared/logger";
import { DimensionedMetrics } from "../shared/metrics";
import { readThumbnailConfig } from "./config";
import { s3ClientFromEnv } from "../shared/s3-client";
import { createThumbnailHandler, type ThumbnailHandler, type ThumbnailHandlerDeps } from "./handler";
import { sqsMessageHolder } from "./visibility";
import { releaseBetweenRecords } from "./memory";
import { functionMemoryMb } from "./image/config";

export { s3ClientFromEnv };

export { createThumbnailHandler, RetryableInvocationError, UnsupportedEventError, WiringError } from "./handler";
export { classifyBucket, FOREIGN_BUCKET_REASON, WIRING_ERROR_REASON } from "./bucket-check";
export { sqsMessageHolder, type MessageHolder } from "./visibility";
export type { DirectEventSummary, ThumbnailHandler, ThumbnailHandlerDeps } from "./handler";
export { readS3EndpointConfig, readThumbnailConfig, type S3EndpointConfig, type ThumbnailHandlerConfig } from "./config";
export { goneTransactionIdFor, originalUrl, safeFolder, thumbnailKey, thumbnailUrl, transactionIdFor, type UploadIdentity } from "./identity";
export { decodeNotificationKey, parseInvocation, parseMessageBody, type ObjectCreated } from "./events";
export { decideFailure, FAILURE_REASONS, type Decision, type FailureReason, type Stage } from "./decide";
export { THUMBNAIL_CACHE_CONTROL } from "./s3-objects";
export { correlationIdFrom } from "./process-upload";

/**
 * The retry side: QUEUE_URL names the queue whose failed messages are held
 * back by the schedule (RETRY_BASE_SECONDS); SQS_ENDPOINT points at a local
 * SQS. Without QUEUE_URL failed messages return after the queue's own timeout.
 */
export function retryFromEnv(env: Env = process.env): ThumbnailHandlerDeps["retry"] {
  const vars = FUNCTION_ENVIRONMENTS.thumbnails;
  const e = readEnvironment({ queueUrl: vars.queueUrl, sqsEndpoint: vars.sqsEndpoint, retryBaseSeconds: vars.retryBaseSeconds }, env);
  if (e.queueUrl === undefined) return undefined;
  const sqs = new SQSClient({
    ...(e.sqsEndpoint !== undefined ? { endpoint: e.sqsEndpoint } : {}),
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
  return { baseSeconds: e.retryBaseSeconds, hold: sqsMessageHolder(sqs, e.queueUrl) };
}

/** EVENT_BUS_NAME names the region's bus for result events; without it the result-publisher alone sends them. */
export function resultsFromEnv(env: Env = process.env): Pick<ThumbnailHandlerDeps, "results"> {
  const busName = readEnvironment({ eventBus: FUNCTION_ENVIRONMENTS.thumbnails.eventBus }, env).eventBus;
  return busName === undefined ? {} : { results: eventBridgeSink(new EventBridgeClient({}), busName) };
}

/** Everything the handler needs, from the environment (docs/contracts.md). */
export function thumbnailDepsFromEnv(env: Env = process.env, logger: Logger = createLogger({ env, defaultServiceName: "thumbnails" })): ThumbnailHandlerDeps {
  return {
    s3: s3ClientFromEnv(env),
    database: databaseFromEnv(env, { onPoolError: (error) => logger.warn("idle database connection dropped; the next query reconnects", errorFields(error)) }),
    config: readThumbnailConfig(env),
    logger,
    metrics: new DimensionedMetrics({ env, serviceName: COMMON_ENVIRONMENT.serviceName.read(env) ?? "thumbnails" }),
    retry: retryFromEnv(env),
    ...resultsFromEnv(env),
    releaseMemory: releaseBetweenRecords(functionMemoryMb(env)),
  };
}

let containerHandler: ThumbnailHandler | undefined;

export async function handler(event: unknown, context: Context): ReturnType<ThumbnailHandler> {
  if (containerHandler === undefined) {
    // Built on first use so a configuration error is logged (and retried) rather than failing the import.
    const logger = createLogger({ defaultServiceName: "thumbnails" });
    try {
      containerHandler = createThumbnailHandler(thumbnailDepsFromEnv(process.env, logger));
    } catch (error) {
      logger.error("configuration error", { error });
      throw error;
    }
  }
  return containerHandler(event, context);
}
