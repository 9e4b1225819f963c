// dlq-redriver settings: its environment as contracts/environments.ts describes it.
import { FUNCTION_ENVIRONMENTS, readEnvironment, requiredRegion, type Env } from "../../contracts";

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
  const e = readEnvironment(FUNCTION_ENVIRONMENTS["dlq-redriver"], env);
  return {
    dlqUrl: e.dlqUrl,
    queueUrl: e.queueUrl,
    canaryAlarmName: e.canaryAlarmName,
    maxRedrives: e.maxRedrives,
    maxMessagesPerRun: e.maxMessagesPerRun,
    alertTopicArn: e.alertTopicArn,
    ticketTopicArn: e.ticketTopicArn,
    region: requiredRegion(e.region),
  };
}
