// The canary function, built from its dependencies: one run of the check,
// its metrics, and a ticket request when a step failed.
import type { S3Client } from "@aws-sdk/client-s3";
import { CANARY_METRICS } from "../../contracts";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { Logger } from "../shared/logger";
import { MetricUnit, type DimensionedMetrics } from "../shared/metrics";
import { publishTicketRequest } from "../ticket-opener/ticket-request";
import { runCanaryCheck, type CanaryResult } from "./check";
import type { CanaryConfig } from "./config";
import { databaseRowFinder, databaseRowRemover } from "./row-store";
import type { Queryable } from "../shared/images-table";
import { canaryTicket } from "./ticket";

export interface CanaryHandlerDeps {
  s3: S3Client;
  sns: SNSClient;
  db: Queryable;
  config: CanaryConfig;
  logger: Logger;
  metrics: DimensionedMetrics;
}

export function createCanaryHandler(deps: CanaryHandlerDeps): () => Promise<CanaryResult> {
  const { config, logger, metrics } = deps;
  return async () => {
    const result = await runCanaryCheck({
      s3: deps.s3,
      rawBucket: config.rawBucket,
      thumbnailsBucket: config.thumbnailsBucket,
      prefix: config.prefix,
      timeoutMs: config.timeoutMs,
      specs: config.specs,
      region: config.region,
      findRow: databaseRowFinder(deps.db),
      deleteRow: databaseRowRemover(deps.db, config.prefix),
    });
    metrics.add(CANARY_METRICS.success, MetricUnit.Count, result.ok ? 1 : 0);
    if (result.latencyMs !== undefined) metrics.add(CANARY_METRICS.latency, MetricUnit.Milliseconds, result.latencyMs);
    metrics.flush();

    const ticket = canaryTicket(result);
    if (ticket === undefined) {
      logger.info("canary passed", { latencyMs: result.latencyMs, steps: result.steps, correlationId: result.correlationId });
      return result;
    }
    logger.error("canary failed", {
      step: ticket.details.step,
      lastError: result.lastError,
      steps: result.steps,
      rawKey: result.rawKey,
      correlationId: result.correlationId,
    });
    await publishTicketRequest(deps.sns, config.ticketTopicArn, ticket);
    return result;
  };
}
