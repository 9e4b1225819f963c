// dlq-redriver: invoked by EventBridge when the canary alarm returns to OK,
// when the DLQ depth alarm goes to ALARM, and on a schedule as a safety net.
// Every trigger runs the same check-then-move; see redrive.ts.
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createLogger, errorFields } from "../shared/logger";
import { readRedriverConfig } from "./config";
import { redriveDeadLetters, type RedriveOutcome, type RedriverDeps } from "./redrive";

const logger = createLogger({ defaultServiceName: "dlq-redriver" });
let deps: RedriverDeps | undefined;

function containerDeps(): RedriverDeps {
  if (deps === undefined) {
    try {
      deps = {
        sqs: new SQSClient({}),
        cloudwatch: new CloudWatchClient({}),
        sns: new SNSClient({}),
        config: readRedriverConfig(),
        log: (level, message, fields) => logger[level](message, fields ?? {}),
      };
    } catch (error) {
      logger.error("configuration error", errorFields(error));
      throw error;
    }
  }
  return deps;
}

export async function handler(): Promise<RedriveOutcome> {
  return redriveDeadLetters(containerDeps());
}
