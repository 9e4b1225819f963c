// db-guard settings from the environment (names: docs/contracts.md).
import { booleanFlag, EnvVarError, integer, optionalString, requiredString, type Env } from "../shared/env";

export interface ConnectionPolicy {
  /** Utilization (active / max_connections) above which a sample counts as a breach. */
  threshold: number;
  step: number;
  ceiling: number;
}

export interface DbGuardConfig extends ConnectionPolicy {
  instanceId: string;
  parameterGroup: string;
  allowReboot: boolean;
  floorParameter: string;
  alertTopicArn: string;
  ticketTopicArn: string;
  region: string;
}

export const DEFAULT_POLICY: ConnectionPolicy = { threshold: 0.8, step: 10, ceiling: 200 };

/** A fraction in (0, 1]; the shared readers only know whole numbers. */
export function readThreshold(value: string | undefined, name = "CONNECTION_THRESHOLD"): number {
  if (value === undefined || value.trim() === "") return DEFAULT_POLICY.threshold;
  const n = Number(value.trim());
  if (!/^\d*\.?\d+$/.test(value.trim()) || !(n > 0 && n <= 1)) throw new EnvVarError(name, value, "a fraction above 0 and at most 1, e.g. 0.8");
  return n;
}

export function readDbGuardConfig(env: Env = process.env): DbGuardConfig {
  const region = optionalString(env, "PIPELINE_REGION") ?? optionalString(env, "AWS_REGION");
  if (region === undefined) throw new EnvVarError("PIPELINE_REGION", undefined, "the AWS region this function runs for (or set AWS_REGION)");
  return {
    threshold: readThreshold(env.CONNECTION_THRESHOLD),
    // PostgreSQL accepts max_connections from 1 to 262143.
    step: integer(env, "CONNECTION_STEP", DEFAULT_POLICY.step, { min: 1, max: 1000 }),
    ceiling: integer(env, "CONNECTION_CEILING", DEFAULT_POLICY.ceiling, { min: 1, max: 262143 }),
    instanceId: requiredString(env, "DB_INSTANCE_ID", "the RDS DB instance identifier"),
    parameterGroup: requiredString(env, "DB_PARAMETER_GROUP", "the name of the instance's DB parameter group"),
    allowReboot: booleanFlag(env, "ALLOW_REBOOT", false),
    floorParameter: requiredString(env, "MAX_CONNECTIONS_FLOOR_PARAMETER", "the SSM parameter name of the max_connections floor"),
    alertTopicArn: requiredString(env, "ALERT_TOPIC_ARN", "the ARN of the alerts SNS topic"),
    ticketTopicArn: requiredString(env, "TICKET_TOPIC_ARN", "the ARN of the tickets SNS topic"),
    region,
  };
}
