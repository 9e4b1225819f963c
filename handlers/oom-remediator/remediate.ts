// One OOM alarm -> at most one raise: read, decide, update guarded by the
// RevisionId, and on a conflict read and decide again (bounded).
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { publishAlert, publishTicketRequest, ticketRequest } from "../ticket-opener/ticket-request";
import type { AlarmStateChange } from "./alarm-event";
import { rearmAlarm } from "./alarm-rearm";
import { floorParameterName, type OomRemediatorConfig } from "./config";
import { decideMemory, type MemoryDecision } from "./decide";
import { readFunctionMemory, setFunctionMemory } from "./function-memory";
import { readMemoryFloor, writeMemoryFloor } from "./memory-floor";

export interface RemediationDeps {
  lambda: LambdaClient;
  ssm: SSMClient;
  sns: SNSClient;
  cloudwatch: CloudWatchClient;
  config: OomRemediatorConfig;
  now(): Date;
  sleep(ms: number): Promise<void>;
  log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown>): void;
}

export type RemediationOutcome =
  | { functionName: string; action: "raised"; fromMb: number; toMb: number; attempts: number }
  | { functionName: string; action: "cooldown" | "escalated"; memoryMb: number; attempts: number; reason: string };

/** How many read-decide-update rounds before giving up (each conflict means someone else changed the function). */
export const MAX_ATTEMPTS = 4;

export async function remediateOom(deps: RemediationDeps, functionName: string, alarm: AlarmStateChange): Promise<RemediationOutcome> {
  const { config } = deps;
  const parameterName = floorParameterName(config.floorParameterPrefix, functionName);
  const policy = { stepMb: config.stepMb, capMb: config.capMb, cooldownSeconds: config.cooldownSeconds };
  let lastConflict = "";
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const state = await readFunctionMemory(deps.lambda, functionName);
    const { floor, problem } = await readMemoryFloor(deps.ssm, parameterName);
    if (problem) deps.log("warn", "ignoring unreadable memory floor", { parameterName, problem });
    const decision: MemoryDecision = decideMemory(state, floor, policy, deps.now());
    deps.log("info", "memory decision", { functionName, attempt, decision, memoryMb: state.memoryMb, floor });

    if (decision.action === "cooldown") {
      await rearm(deps, alarm, `cooldown until ${decision.until.toISOString()}`);
      return { functionName, action: "cooldown", memoryMb: decision.memoryMb, attempts: attempt, reason: decision.reason };
    }
    if (decision.action === "at-cap") {
      await publishTicketRequest(
        deps.sns,
        config.ticketTopicArn,
        ticketRequest({
          dedupeKey: `oom:${config.region}:${functionName}`,
          source: "oom-remediator",
          region: config.region,
          summary: `${functionName} runs out of memory at the ${config.capMb} MB cap`,
          description: [
            `Alarm ${alarm.alarmName} went to ALARM at ${isoOrUnknown(alarm.at)}: ${alarm.reason}`,
            `The function is at ${decision.memoryMb} MB, the cap for automatic raises (MEMORY_CAP_MB=${config.capMb}). Nothing was changed.`,
            "A human needs to look: find what makes the function use this much memory (input size, a leak, concurrency inside one invocation),",
            "and either fix that or raise the cap deliberately in the stack configuration.",
          ].join("\n"),
          details: { functionName, memoryMb: decision.memoryMb, capMb: config.capMb, alarmName: alarm.alarmName, floorParameter: parameterName },
        }),
      );
      return { functionName, action: "escalated", memoryMb: decision.memoryMb, attempts: attempt, reason: decision.reason };
    }

    const result = await setFunctionMemory(deps.lambda, functionName, decision.toMb, state.revisionId);
    if (!result.ok) {
      lastConflict = result.conflict;
      deps.log("warn", "function changed under us; reading it again", { functionName, attempt, conflict: result.conflict });
      await deps.sleep(200 * attempt);
      continue;
    }
    // The raise has happened; if the floor cannot be recorded, people must hear it, or the next pulumi up reverts it.
    let floorProblem: string | undefined;
    try {
      await writeMemoryFloor(deps.ssm, parameterName, decision.toMb, `Raised by oom-remediator after ${alarm.alarmName}.`);
    } catch (err) {
      floorProblem = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    await publishAlert(
      deps.sns,
      config.alertTopicArn,
      `OOM remediation: ${functionName} memory ${decision.fromMb} -> ${decision.toMb} MB`,
      [
        `What changed: memory of Lambda function ${functionName} (${config.region})`,
        `From: ${decision.fromMb} MB`,
        `To: ${decision.toMb} MB`,
        `Why: ${decision.reason}`,
        `Alarm: ${alarm.alarmName} (ALARM at ${isoOrUnknown(alarm.at)}): ${alarm.reason}`,
        floorProblem === undefined
          ? `Recorded as the floor in SSM parameter ${parameterName}; the next pulumi up keeps it.`
          : `The floor could NOT be recorded (${floorProblem}); the next pulumi up would revert the memory. ` +
            `Record it by hand: aws ssm put-parameter --region ${config.region} --name ${parameterName} --type String --overwrite --value ${decision.toMb}`,
        `No further raise for ${config.cooldownSeconds}s; at ${config.capMb} MB a ticket is opened instead.`,
      ].join("\n"),
    );
    await rearm(deps, alarm, `memory raised to ${decision.toMb} MB`);
    // Failing the invocation leaves an Errors alarm and a failed async event behind, besides the alert.
    if (floorProblem !== undefined)
      throw new Error(`raised ${functionName} to ${decision.toMb} MB but could not record the floor ${parameterName}: ${floorProblem}`);
    return { functionName, action: "raised", fromMb: decision.fromMb, toMb: decision.toMb, attempts: attempt };
  }
  throw new Error(`gave up raising ${functionName} after ${MAX_ATTEMPTS} conflicting updates; last: ${lastConflict}`);
}

/**
 * Re-arms after a raise or a cooldown skip, so continuing OOMs come back as a
 * new event; not at the cap, where the ticket is the answer and a re-armed
 * alarm would only comment on it every minute. A failure here is logged, not
 * thrown: the raise itself has happened.
 */
async function rearm(deps: RemediationDeps, alarm: AlarmStateChange, why: string): Promise<void> {
  try {
    await rearmAlarm(deps.cloudwatch, alarm.alarmName, why);
  } catch (err) {
    deps.log("error", "could not re-arm the alarm; continuing OOMs will not invoke the remediator until it returns to OK by itself", {
      alarmName: alarm.alarmName,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
  }
}

function isoOrUnknown(d: Date): string {
  return Number.isNaN(d.getTime()) ? "unknown time" : d.toISOString();
}
