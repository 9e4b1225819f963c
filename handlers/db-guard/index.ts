// db-guard: every minute (EventBridge schedule) it measures the database's
// connections and publishes them; when the connections alarm goes to ALARM it
// runs the remediation. Both paths measure with the same code.
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { isAlarmStateChange, parseAlarmStateChange } from "../oom-remediator/alarm-event";
import { databaseFromEnv } from "../shared/db";
import { createLogger, errorFields } from "../shared/logger";
import { readDbGuardConfig } from "./config";
import { publishConnectionMetrics } from "./connection-metrics";
import { isBreach, utilization } from "./decide";
import { measureConnections } from "./measure";
import { remediateConnections, type ConnectionRemediationOutcome } from "./remediate";

const logger = createLogger({ defaultServiceName: "db-guard" });
const db = databaseFromEnv(process.env, { onPoolError: (error) => logger.warn("database connection dropped", errorFields(error)) });
const cloudwatch = new CloudWatchClient({});
const rds = new RDSClient({});
const ssm = new SSMClient({});
const sns = new SNSClient({});

export type DbGuardResult =
  | { mode: "measure"; active: number; total: number; max: number; utilization: number }
  | { mode: "remediate"; outcome: ConnectionRemediationOutcome }
  | { mode: "ignored"; reason: string };

export async function handler(event: unknown): Promise<DbGuardResult> {
  const config = readDbGuardConfig();
  const alarm = isAlarmStateChange(event) ? parseAlarmStateChange(event) : undefined;
  if (alarm !== undefined && alarm.state !== "ALARM") return { mode: "ignored", reason: `alarm ${alarm.alarmName} is ${alarm.state}` };
  const sample = await measureConnections(db);
  if (alarm === undefined) {
    // The schedule: publish the reading; the alarm on ConnectionUtilization applies the 5-minute rule.
    await publishConnectionMetrics(cloudwatch, sample, config.instanceId);
    const u = utilization(sample);
    logger.info("connections measured", { ...sample, utilization: u, aboveThreshold: isBreach(sample, config.threshold) });
    return { mode: "measure", active: sample.active, total: sample.total, max: sample.max, utilization: u };
  }
  const outcome = await remediateConnections({ rds, ssm, sns, config }, sample, alarm);
  logger.info("connection remediation", { ...outcome, sample });
  return { mode: "remediate", outcome };
}
