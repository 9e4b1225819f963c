// db-guard: EventBridge schedule every minute (measure) and the connections
// alarm's state change (remediate); see handler.ts.
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { Context } from "aws-lambda";
import { databaseEndpoint, databaseFromEnv, readDatabaseSettings } from "../shared/db";
import { addLambdaContext, createLogger, errorFields } from "../shared/logger";
import { readDbGuardConfig } from "./config";
import { createDbGuardHandler, type DbGuardResult } from "./handler";

export type { DbGuardResult } from "./handler";

const logger = createLogger({ defaultServiceName: "db-guard" });
let containerHandler: ((event: unknown) => Promise<DbGuardResult>) | undefined;

export async function handler(event: unknown, context?: Context): Promise<DbGuardResult> {
  addLambdaContext(logger, context);
  if (containerHandler === undefined) {
    // Built on first use, so a configuration error is logged with what to fix.
    try {
      containerHandler = createDbGuardHandler({
        db: databaseFromEnv(process.env, { onPoolError: (error) => logger.warn("database connection dropped", errorFields(error)) }),
        cloudwatch: new CloudWatchClient({}),
        rds: new RDSClient({}),
        ssm: new SSMClient({}),
        sns: new SNSClient({}),
        config: readDbGuardConfig(),
        dbEndpoint: databaseEndpoint(readDatabaseSettings(process.env)),
        logger,
      });
    } catch (error) {
      logger.error("configuration error", errorFields(error));
      throw error;
    }
  }
  return containerHandler(event);
}
