// canary: EventBridge schedule every 5 minutes; see handler.ts and check.ts.
import { S3Client } from "@aws-sdk/client-s3";
import { COMMON_ENVIRONMENT } from "../../contracts";
import { SNSClient } from "@aws-sdk/client-sns";
import { databaseFromEnv } from "../shared/db";
import { createLogger, errorFields } from "../shared/logger";
import { DimensionedMetrics } from "../shared/metrics";
import type { CanaryResult } from "./check";
import { readCanaryConfig } from "./config";
import { createCanaryHandler } from "./handler";

export { runCanaryCheck, CANARY_STEPS, type CanaryDeps, type CanaryResult, type CanaryRow, type CanaryRowLookup, type CanaryStep } from "./check";
export { databaseRowFinder, databaseRowRemover } from "./row-store";
export { canaryTicket } from "./ticket";

const logger = createLogger({ defaultServiceName: "canary" });
let containerHandler: (() => Promise<CanaryResult>) | undefined;

export async function handler(): Promise<CanaryResult> {
  if (containerHandler === undefined) {
    try {
      containerHandler = createCanaryHandler({
        s3: new S3Client({}),
        sns: new SNSClient({}),
        db: databaseFromEnv(process.env, { onPoolError: (error) => logger.warn("database connection dropped", errorFields(error)) }),
        config: readCanaryConfig(),
        logger,
        metrics: new DimensionedMetrics({ serviceName: COMMON_ENVIRONMENT.serviceName.read(process.env) ?? "canary" }),
      });
    } catch (error) {
      logger.error("configuration error", errorFields(error));
      throw error;
    }
  }
  return containerHandler();
}
