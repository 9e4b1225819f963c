// The connections alarm went to ALARM (utilization above the threshold for 5
// consecutive minutes): raise max_connections by a step, at most to the
// ceiling, record the floor, and tell people through a ticket and an alert.
import type { RDSClient } from "@aws-sdk/client-rds";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { AlarmStateChange } from "../oom-remediator/alarm-event";
import { publishAlert, publishTicketRequest, ticketRequest } from "../ticket-opener/ticket-request";
import type { DbGuardConfig } from "./config";
import { writeMaxConnectionsFloor } from "./connections-floor";
import { decideConnections, utilization, type ConnectionDecision } from "./decide";
import type { ConnectionSample } from "./measure";
import { readConfiguredMaxConnections, rebootInstance, setMaxConnections } from "./parameter-group";

export interface ConnectionRemediationDeps {
  rds: RDSClient;
  ssm: SSMClient;
  sns: SNSClient;
  config: DbGuardConfig;
}

export type ConnectionRemediationOutcome = {
  decision: ConnectionDecision;
  /** What was done about it. */
  applied: "pending-reboot" | "rebooted" | "none";
};

const LASTING_FIX =
  "Raising max_connections buys time; the lasting fix is fewer connections: put RDS Proxy in front of the database " +
  "(it multiplexes many Lambda sessions onto a few server connections) and keep function concurrency within the connection budget.";

export async function remediateConnections(
  deps: ConnectionRemediationDeps,
  sample: ConnectionSample,
  alarm: AlarmStateChange,
): Promise<ConnectionRemediationOutcome> {
  const { config } = deps;
  const configured = await readConfiguredMaxConnections(deps.rds, config.parameterGroup);
  const decision = decideConnections(sample.max, configured, config);
  const reading = `${sample.active} active of max_connections ${sample.max} (utilization ${utilization(sample).toFixed(2)}), ${sample.total} connected, at ${sample.at.toISOString()}`;
  const context = [`Alarm ${alarm.alarmName}: ${alarm.reason}`, `Reading: ${reading}`];
  const details = {
    instanceId: config.instanceId,
    parameterGroup: config.parameterGroup,
    active: sample.active,
    total: sample.total,
    runningMax: sample.max,
    configuredMax: configured ?? null,
    alarmName: alarm.alarmName,
  };
  const dedupeKey = `db-guard:${config.region}:${config.instanceId}:connections`;
  const ticket = (summary: string, lines: string[]) =>
    publishTicketRequest(
      deps.sns,
      config.ticketTopicArn,
      ticketRequest({
        dedupeKey,
        source: "db-guard",
        region: config.region,
        summary,
        description: [...lines, ...context, LASTING_FIX].join("\n"),
        details: { ...details, decision },
      }),
    );

  if (decision.action === "at-ceiling") {
    await ticket(`${config.instanceId}: connections exhausted at the max_connections ceiling ${config.ceiling}`, [`${decision.reason}. Nothing was changed.`]);
    return { decision, applied: "none" };
  }
  if (decision.action === "reboot-pending") {
    // Idempotent: if an earlier run changed the group but failed to record the floor, this records it.
    await writeMaxConnectionsFloor(deps.ssm, config.floorParameter, decision.pendingMax, `Pending in ${config.parameterGroup}; recorded by db-guard.`);
    if (config.allowReboot) {
      await rebootInstance(deps.rds, config.instanceId);
      await ticket(`${config.instanceId}: rebooted to apply max_connections ${decision.pendingMax}`, [
        `${decision.reason}. ALLOW_REBOOT is true, so the instance was rebooted now.`,
      ]);
      return { decision, applied: "rebooted" };
    }
    await ticket(`${config.instanceId}: reboot pending to apply max_connections ${decision.pendingMax}`, [
      `${decision.reason}. ALLOW_REBOOT is false: reboot the instance in a maintenance window (aws rds reboot-db-instance --db-instance-identifier ${config.instanceId}).`,
    ]);
    return { decision, applied: "none" };
  }

  await setMaxConnections(deps.rds, config.parameterGroup, decision.toMax);
  await writeMaxConnectionsFloor(deps.ssm, config.floorParameter, decision.toMax, `Raised by db-guard after ${alarm.alarmName}.`);
  if (config.allowReboot) await rebootInstance(deps.rds, config.instanceId);
  const applied = config.allowReboot ? "rebooted" : "pending-reboot";
  const howApplied = config.allowReboot
    ? "The instance was rebooted to apply it (ALLOW_REBOOT is true)."
    : `It applies at the next reboot (the parameter is static; ALLOW_REBOOT is false): reboot in a maintenance window with aws rds reboot-db-instance --db-instance-identifier ${config.instanceId}.`;
  const change = `max_connections ${decision.fromMax} -> ${decision.toMax} in parameter group ${config.parameterGroup}`;
  await ticket(`${config.instanceId}: ${change}, ${config.allowReboot ? "rebooted" : "reboot pending"}`, [
    `Changed ${change} (${decision.reason}).`,
    howApplied,
    `Recorded as the floor in SSM parameter ${config.floorParameter}; the next pulumi up keeps it.`,
  ]);
  await publishAlert(
    deps.sns,
    config.alertTopicArn,
    `DB guard: ${config.instanceId} max_connections ${decision.fromMax} -> ${decision.toMax}`,
    [`What changed: ${change} (${config.region})`, `Why: ${decision.reason}`, howApplied, ...context].join("\n"),
  );
  return { decision, applied };
}
