// Entry point of the `thumbnails` function (handler string index.handler).
// Clients are built once per container, on the first invocation, and reused:
// one S3 client, one database pool of one connection.
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { databaseFromEnv } from "../shared/db";
import { COMMON_ENVIRONMENT, FUNCTION_ENVIRONMENTS, readEnvironment, type Env } from "../../contracts";
import { createLogger, errorFields, type Logger } from "../shared/logger";
import { DimensionedMetrics } from "../shared/metrics";
import { readS3EndpointConfig, readThumbnailConfig } from "./config";
import { createThumbnailHandler, type ThumbnailHandler, type ThumbnailHandlerDeps } from "./handler";
import { sqsMessageHolder } from "./visibility";

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

/** An S3 client for the environment: AWS, or S3_ENDPOINT (+ S3_FORCE_PATH_STYLE) for local runs. */
export function s3ClientFromEnv(env: Env = process.env): S3Client {
  const endpoint = readS3EndpointConfig(env);
  return new S3Client({
    ...(endpoint.endpoint !== undefined ? { endpoint: endpoint.endpoint } : {}),
    forcePathStyle: endpoint.forcePathStyle,
    // Fail a stuck connection fast: the message is retried rather than the function timing out.
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
  });
}

/**
 * The retry side: QUEUE_URL names the queue whose failed messages are held
 * back by the schedule (RETRY_BASE_SECONDS); SQS_ENDPOINT points at a local
 * SQS. Without QUEUE_URL failed messages return after the queue's own timeout.
 */
export function retryFromEnv(env: Env = process.env): ThumbnailHandlerDeps["retry"] {
  const vars = FUNCTION_ENVIRONMENTS.thumbnails;
  const e = readEnvironment({ queueUrl: vars.queueUrl, sqsEndpoint: vars.sqsEndpoint, retryBaseSeconds: vars.retryBaseSeconds }, env);
  if (e.queueUrl === undefined) return undefined;
  const sqs = new SQSClient({ ...(e.sqsEndpoint !== undefined ? { endpoint: e.sqsEndpoint } : {}), requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } });
  return { baseSeconds: e.retryBaseSeconds, hold: sqsMessageHolder(sqs, e.queueUrl) };
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
