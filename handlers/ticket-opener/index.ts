// ticket-opener: SNS subscription on the tickets topic; see handler.ts.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { addLambdaContext, createLogger, errorFields } from "../shared/logger";
import { readTicketOpenerConfig } from "./config";
import { createTicketOpenerHandler, type SnsEvent } from "./handler";
import type { TicketResult } from "./open-tickets";

const logger = createLogger({ defaultServiceName: "ticket-opener" });
let containerHandler: ((event: SnsEvent) => Promise<TicketResult[]>) | undefined;

export async function handler(event: SnsEvent, context?: Context): Promise<TicketResult[]> {
  addLambdaContext(logger, context);
  if (containerHandler === undefined) {
    try {
      containerHandler = createTicketOpenerHandler({
        config: readTicketOpenerConfig(),
        sns: new SNSClient({}),
        secrets: new SecretsManagerClient({}),
        logger,
      });
    } catch (error) {
      logger.error("configuration error", errorFields(error));
      throw error;
    }
  }
  return containerHandler(event);
}
