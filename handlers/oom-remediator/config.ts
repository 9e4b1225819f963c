// oom-remediator settings from the environment (names: docs/contracts.md).
import { EnvVarError, integer, optionalString, requiredString, type Env } from "../shared/env";

export interface OomRemediatorConfig {
  stepMb: number;
  capMb: number;
  cooldownSeconds: number;
  floorParameterPrefix: string;
  alertTopicArn: string;
  ticketTopicArn: string;
  region: string;
}

export function readOomRemediatorConfig(env: Env = process.env): OomRemediatorConfig {
  const region = optionalString(env, "PIPELINE_REGION") ?? optionalString(env, "AWS_REGION");
  if (region === undefined) throw new EnvVarError("PIPELINE_REGION", undefined, "the AWS region this function runs for (or set AWS_REGION)");
  return {
    // Lambda memory is set in 1 MB steps between 128 and 10240 MB.
    stepMb: integer(env, "MEMORY_STEP_MB", 128, { min: 1, max: 10240 }),
    capMb: integer(env, "MEMORY_CAP_MB", 1024, { min: 128, max: 10240 }),
    cooldownSeconds: integer(env, "REMEDIATION_COOLDOWN_SECONDS", 600, { min: 0 }),
    floorParameterPrefix: requiredString(env, "MEMORY_FLOOR_PARAMETER_PREFIX", "an SSM parameter name prefix ending in /"),
    alertTopicArn: requiredString(env, "ALERT_TOPIC_ARN", "the ARN of the alerts SNS topic"),
    ticketTopicArn: requiredString(env, "TICKET_TOPIC_ARN", "the ARN of the tickets SNS topic"),
    region,
  };
}

/** `<prefix><function>`: the prefix carries its own trailing slash. */
export function floorParameterName(prefix: string, functionName: string): string {
  return `${prefix}${functionName}`;
}

/** The function an `<function>-oom` alarm watches; undefined for any other alarm. */
export function functionNameFromAlarm(alarmName: string): string | undefined {
  const m = /^(.+)-oom$/.exec(alarmName);
  return m ? m[1] : undefined;
}
