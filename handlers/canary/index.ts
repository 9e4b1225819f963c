// canary: every 5 minutes (EventBridge schedule) runs the synthetic upload
// through the real pipeline, publishes CanarySuccess / CanaryLatency, and asks
// for a ticket when a step fails.
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { databaseFromEnv } from "../shared/db";
import { createLogger, errorFields } from "../shared/logger";
import { DimensionedMetrics, MetricUnit } from "../shared/metrics";
import { publishTicketRequest } from "../ticket-opener/ticket-request";
import { runCanaryCheck, type CanaryResult } from "./check";
import { readCanaryConfig } from "./config";
import { databaseRowFinder, databaseRowRemover } from "./row-store";
import { canaryTicket } from "./ticket";

const logger = createLogger({ defaultServiceName: "canary" });
const s3 = new S3Client({});
const sns = new SNSClient({});
const db = databaseFromEnv(process.env, { onPoolError: (error) => logger.warn("database connection dropped", errorFields(error)) });

export async function handler(): Promise<CanaryResult> {
  const config = readCanaryConfig();
  const result = await runCanaryCheck({
    s3,
    rawBucket: config.rawBucket,
    thumbnailsBucket: config.thumbnailsBucket,
    prefix: config.prefix,
    timeoutMs: config.timeoutMs,
    specs: config.specs,
    region: config.region,
    findRow: databaseRowFinder(db),
    deleteRow: databaseRowRemover(db, config.prefix),
  });
  const metrics = new DimensionedMetrics({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || "canary" });
  metrics.add("CanarySuccess", MetricUnit.Count, result.ok ? 1 : 0);
  if (result.latencyMs !== undefined) metrics.add("CanaryLatency", MetricUnit.Milliseconds, result.latencyMs);
  metrics.flush();

  const ticket = canaryTicket(result);
  if (ticket !== undefined) {
    logger.error("canary failed", { failedStep: ticket.details.step, lastError: result.lastError, steps: result.steps, rawKey: result.rawKey });
    await publishTicketRequest(sns, config.ticketTopicArn, ticket);
  } else {
    logger.info("canary passed", { latencyMs: result.latencyMs, steps: result.steps, correlationId: result.correlationId });
  }
  return result;
}
