// required-alarms: what breaks is seen by someone. Every function, queue with
// a DLQ, database and region has its alarms (names from docs/contracts.md),
// and every alarm pages someone and links its runbook.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type PolicySpec } from "./support/define";
import { has, list, str } from "./support/props";
import { T, describe, regionOf } from "./support/resources";

export const requiredAlarmsSpec: PolicySpec = {
  name: "required-alarms",
  description:
    "Every function has errors, throttles, duration, memory and OOM alarms; every queue with a DLQ has depth and age alarms; every database has connections, CPU and storage alarms; every region has a canary alarm; every alarm has an action and a runbook link.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create the missing alarm with the contract name (`<function>-<kind>`, `<queue>-depth`/`-age`, `<db id>-connections`/`-cpu`/`-storage`, `<prefix>-<region>-canary`), with the alerts topic in alarmActions and `Runbook: <url>` in alarmDescription.",
};

export const FUNCTION_ALARM_KINDS = ["errors", "throttles", "duration", "memory", "oom"] as const;
export const DATABASE_ALARM_KINDS = ["connections", "cpu", "storage"] as const;
export const QUEUE_ALARM_KINDS = ["depth", "age"] as const;

const RUNBOOK_RE = /https?:\/\/\S+/;

export const requiredAlarms = stackPolicy(requiredAlarmsSpec, (stack, ctx) => {
  const alarms = stack.ofType(T.metricAlarm, T.compositeAlarm);
  const alarmNames = new Set<string>();
  for (const alarm of alarms) {
    const region = regionOf(alarm) ?? "(global)";
    const facts = ctx.inspect(alarm, () => ({
      name: str(alarm.props.name ?? alarm.props.alarmName),
      // Counting actions reads the list, not the ARNs in it, so unknown topic ARNs are fine.
      actions: list(alarm.props.alarmActions).length,
      description: str(alarm.props.alarmDescription) ?? "",
    }));
    if (!facts) continue;
    if (facts.name) alarmNames.add(facts.name);
    const label = facts.name ?? alarm.name;
    if (facts.actions === 0) ctx.report(alarm, `${region}: alarm ${label} has no alarmActions, so it pages nobody`);
    if (!RUNBOOK_RE.test(facts.description)) ctx.report(alarm, `${region}: alarm ${label} has no runbook link in its alarmDescription`);
  }

  const requireAlarms = (owner: PolicyResource, region: string, what: string, names: string[]) => {
    const missing = names.filter((n) => !alarmNames.has(n));
    if (missing.length > 0) ctx.report(owner, `${region}: ${what} has no ${missing.join(", ")} alarm${missing.length > 1 ? "s" : ""}`);
  };

  for (const fn of stack.ofType(T.lambda)) {
    const name = ctx.inspect(fn, () => str(fn.props.name));
    if (name === undefined) {
      ctx.report(fn, `${describe(fn)} has no explicit name, so its alarms (<name>-<kind>) cannot be matched`);
      continue;
    }
    requireAlarms(fn, regionOf(fn) ?? "(global)", `function ${name}`, FUNCTION_ALARM_KINDS.map((k) => `${name}-${k}`));
  }

  for (const queue of stack.ofType(T.queue)) {
    if (!has(queue.props, "redrivePolicy")) continue;
    const name = ctx.inspect(queue, () => str(queue.props.name));
    if (name === undefined) {
      ctx.report(queue, `${describe(queue)} has a DLQ but no explicit name, so its alarms cannot be matched`);
      continue;
    }
    // The depth alarm may watch the DLQ and the age alarm the source queue: accept either queue's name.
    const dlqNames = stack
      .dependenciesOf(queue, "redrivePolicy")
      .filter((d) => d.type === T.queue)
      .map((d) => ctx.inspect(d, () => str(d.props.name)))
      .filter((n): n is string => n !== undefined);
    const region = regionOf(queue) ?? "(global)";
    const missing = QUEUE_ALARM_KINDS.filter((k) => ![name, ...dlqNames].some((q) => alarmNames.has(`${q}-${k}`)));
    if (missing.length > 0) ctx.report(queue, `${region}: queue ${name} has no ${missing.map((k) => `${name}-${k}`).join(", ")} alarm${missing.length > 1 ? "s" : ""}`);
  }

  for (const db of stack.ofType(T.dbInstance)) {
    const id = ctx.inspect(db, () => str(db.props.identifier));
    if (id === undefined) {
      ctx.report(db, `${describe(db)} has no explicit identifier, so its alarms (<id>-<kind>) cannot be matched`);
      continue;
    }
    requireAlarms(db, regionOf(db) ?? "(global)", `database ${id}`, DATABASE_ALARM_KINDS.map((k) => `${id}-${k}`));
  }

  const names = [...alarmNames];
  for (const region of stack.regions()) {
    if (!names.some((n) => n.endsWith(`-${region}-canary`))) {
      const pipeline = stack.pipeline(region);
      ctx.report(pipeline, `${region}: the region has no canary alarm (<prefix>-${region}-canary), so a broken pipeline there goes unnoticed`);
    }
  }
});
