// dlq-redriver settings from the environment (names: docs/contracts.md).
import { EnvVarError, integer, optionalString, requiredString, type Env } from "../shared/env";

export interface RedriverConfig {
  dlqUrl: string;
  queueUrl: string;
  /** The canary alarm: dead letters go back only while it is OK (the cause has gone). */
  canaryAlarmName: string;
  /** Times one message is sent back before the redriver gives up on it and asks for a ticket. */
  maxRedrives: number;
  /** Messages moved per run at most, so one run stays well inside its timeout. */
  maxMessagesPerRun: number;
  alertTopicArn: string;
  ticketTopicArn: string;
  region: string;
}

export function readRedriverConfig(env: Env = process.env): RedriverConfig {
  const region = optionalString(env, "PIPELINE_REGION") ?? optionalString(env, "AWS_REGION");
  if (region === undefined) throw new EnvVarError("PIPELINE_REGION", undefined, "the AWS region this function runs for (or set AWS_REGION)");
  return {
    dlqUrl: requiredString(env, "DLQ_URL", "the URL of the raw-events dead-letter queue"),
    queueUrl: requiredString(env, "QUEUE_URL", "the URL of the raw-events queue the dead letters go back to"),
    canaryAlarmName: requiredString(env, "CANARY_ALARM_NAME", "the name of the region's canary alarm"),
    maxRedrives: integer(env, "MAX_REDRIVES", 3, { min: 0, max: 100 }),
    maxMessagesPerRun: integer(env, "MAX_MESSAGES_PER_RUN", 1000, { min: 1, max: 100_000 }),
    alertTopicArn: requiredString(env, "ALERT_TOPIC_ARN", "the ARN of the alerts SNS topic"),
    ticketTopicArn: requiredString(env, "TICKET_TOPIC_ARN", "the ARN of the tickets SNS topic"),
    region,
  };
}
