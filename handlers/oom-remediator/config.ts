// oom-remediator settings from the environment (names: docs/contracts.md).
import { numberOr, requiredString, optionalString, type Env } from "../ticket-opener/env";

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
  if (region === undefined) throw new Error("environment variable PIPELINE_REGION (or AWS_REGION) is required");
  return {
    // Lambda memory is set in 1 MB steps between 128 and 10240 MB.
    stepMb: numberOr(env, "MEMORY_STEP_MB", 128, { integer: true, min: 1, max: 10240 }),
    capMb: numberOr(env, "MEMORY_CAP_MB", 1024, { integer: true, min: 128, max: 10240 }),
    cooldownSeconds: numberOr(env, "REMEDIATION_COOLDOWN_SECONDS", 600, { integer: true, min: 0 }),
    floorParameterPrefix: requiredString(env, "MEMORY_FLOOR_PARAMETER_PREFIX"),
    alertTopicArn: requiredString(env, "ALERT_TOPIC_ARN"),
    ticketTopicArn: requiredString(env, "TICKET_TOPIC_ARN"),
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
