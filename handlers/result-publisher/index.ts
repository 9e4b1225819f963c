// result-publisher: EventBridge schedule every minute. Sends every result
// event still owed (handlers/shared/result-events.ts): those the thumbnails
// function could not send right after its batch, and any it never tried.
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { databaseFromEnv, type Database } from "../shared/db";
import { eventBridgeSink } from "../shared/eventbridge-sink";
import { createLogger, errorFields } from "../shared/logger";
import { publishOwedEvents, type EventSink, type PublishSummary } from "../shared/result-events";
import { readResultPublisherConfig } from "./config";

const logger = createLogger({ defaultServiceName: "result-publisher" });
let container: { db: Database; sink: EventSink; maxEventsPerRun: number } | undefined;

export async function handler(): Promise<PublishSummary> {
  if (container === undefined) {
    try {
      const config = readResultPublisherConfig(process.env);
      container = {
        db: databaseFromEnv(process.env, { onPoolError: (error) => logger.warn("database connection dropped", errorFields(error)) }),
        sink: eventBridgeSink(new EventBridgeClient({}), config.busName),
        maxEventsPerRun: config.maxEventsPerRun,
      };
    } catch (error) {
      logger.error("configuration error", errorFields(error));
      throw error;
    }
  }
  const summary = await publishOwedEvents(container.db, container.sink, { limit: container.maxEventsPerRun, logger });
  logger.info("owed result events sent", { ...summary });
  return summary;
}
