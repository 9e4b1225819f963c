// The db-guard function, built from its dependencies so tests (and the local
// pipeline) can run it against a real database with stand-in AWS clients.
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { isAlarmStateChange, parseAlarmStateChange } from "../oom-remediator/alarm-event";
import { errorFields, InvalidEventError, namingCall, type Logger } from "../shared/logger";
import type { DbGuardConfig } from "./config";
import { publishConnectionMetrics } from "./connection-metrics";
import { isBreach, utilization } from "./decide";
import { measureConnections, type Queryable } from "./measure";
import { remediateConnections, type ConnectionRemediationOutcome } from "./remediate";

export interface DbGuardDeps {
  db: Queryable;
  cloudwatch: CloudWatchClient;
  rds: RDSClient;
  ssm: SSMClient;
  sns: SNSClient;
  config: DbGuardConfig;
  logger: Logger;
  /** host:port of the database, named in errors ("reading pg_stat_activity from HOST:PORT: ..."). */
  dbEndpoint?: string;
}

export type DbGuardResult =
  | { mode: "measure"; active: number; total: number; max: number; utilization: number }
  | { mode: "remediate"; outcome: ConnectionRemediationOutcome }
  | { mode: "ignored"; reason: string };

/** The schedule measures and publishes; the connections alarm's move to ALARM remediates. */
export function createDbGuardHandler(deps: DbGuardDeps): (event: unknown) => Promise<DbGuardResult> {
  const { config, logger } = deps;
  return async (event) => {
    if (typeof event !== "object" || event === null) {
      const error = new InvalidEventError(
        `db-guard was invoked with ${event === null ? "null" : typeof event}; it expects the EventBridge schedule event or a CloudWatch alarm state change`,
      );
      logger.error("invalid event", errorFields(error));
      throw error;
    }
    const alarm = isAlarmStateChange(event) ? parseAlarmStateChange(event) : undefined;
    if (alarm !== undefined && alarm.state !== "ALARM") return { mode: "ignored", reason: `alarm ${alarm.alarmName} is ${alarm.state}` };
    const sample = await namingCall(`reading pg_stat_activity from ${deps.dbEndpoint ?? "the database"}`, () => measureConnections(deps.db));
    if (sample.hidden > 0) {
      logger.warn("the guard cannot see the state of some sessions, so it undercounts active ones: grant its role pg_monitor", { hidden: sample.hidden });
    }
    if (alarm === undefined) {
      // The alarm on ConnectionUtilization applies the 5-of-5 rule to these readings.
      await namingCall(`publishing connection metrics of ${config.instanceId} to CloudWatch`, () =>
        publishConnectionMetrics(deps.cloudwatch, sample, config.instanceId),
      );
      const u = utilization(sample);
      logger.info("connections measured", { ...sample, utilization: u, aboveThreshold: isBreach(sample, config.threshold) });
      return { mode: "measure", active: sample.active, total: sample.total, max: sample.max, utilization: u };
    }
    const outcome = await remediateConnections({ rds: deps.rds, ssm: deps.ssm, sns: deps.sns, config }, sample, alarm);
    logger.info("connection remediation", { ...outcome, sample });
    return { mode: "remediate", outcome };
  };
}
