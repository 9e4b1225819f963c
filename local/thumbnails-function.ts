// The function behind the local queue: the real thumbnails handler, built per
// worker the way a Lambda container builds it (its own pool of one database
// connection), with the S3 client pointed at the local S3.
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { retryBaseSecondsFromEnv } from "../contracts/retry-schedule";
import { createDatabaseClient, readDatabaseSettings } from "../handlers/shared/db";
import { createLogger } from "../handlers/shared/logger";
import { DimensionedMetrics } from "../handlers/shared/metrics";
import { createThumbnailHandler, readThumbnailConfig, sqsMessageHolder } from "../handlers/thumbnails";
import type { EventSink } from "../handlers/shared/result-events";
import type { SqsBatchHandler, SQSBatchResponse } from "./sqs-event";

export interface FunctionDeps {
  worker: number;
  /** The function's environment (docs/contracts.md names). */
  env: Record<string, string>;
  s3Config: S3ClientConfig;
  /** The queue the function is fed from: failed messages are held back there by the retry schedule. */
  queue?: { sqsConfig: SQSClientConfig; url: string };
  /** Shown in pg_stat_activity for the function's connections. */
  applicationName: string;
  functionTimeoutMs: number;
  /** Where the function sends result events right after a batch (the local bus). */
  results?: EventSink;
}

export interface LocalFunction {
  handle: SqsBatchHandler;
  /** Closes the worker's clients (its database pool). */
  close(): Promise<void>;
}

export type FunctionFactory = (deps: FunctionDeps) => LocalFunction;

export const thumbnailsFunction: FunctionFactory = ({ env, s3Config, queue, applicationName, functionTimeoutMs, results }) => {
  const logger = createLogger({ env, defaultServiceName: "thumbnails" });
  const s3 = new S3Client(s3Config);
  const sqs = queue ? new SQSClient(queue.sqsConfig) : undefined;
  const database = createDatabaseClient({
    settings: readDatabaseSettings(env),
    applicationName,
    onPoolError: (error) => logger.warn("idle database connection dropped; the next query reconnects", { error }),
  });
  const handler = createThumbnailHandler({
    s3,
    database,
    config: readThumbnailConfig(env),
    logger,
    metrics: new DimensionedMetrics({ env, serviceName: env.POWERTOOLS_SERVICE_NAME || "thumbnails" }),
    // The handler stops starting messages this close to its deadline; scaled for short local timeouts.
    deadlineReserveMs: Math.min(5_000, functionTimeoutMs / 5),
    ...(results ? { results } : {}),
    ...(queue && sqs ? { retry: { baseSeconds: retryBaseSecondsFromEnv(env), hold: sqsMessageHolder(sqs, queue.url) } } : {}),
  });
  return {
    async handle(event, context) {
      const result = await handler(event, context);
      // An SQS batch always answers with batchItemFailures; a direct-event summary cannot happen here.
      return "batchItemFailures" in result ? (result as SQSBatchResponse) : { batchItemFailures: [] };
    },
    async close() {
      await database.end();
      s3.destroy();
      sqs?.destroy();
    },
  };
};
