// required-alarms: what breaks is seen by someone. Per class of resource, the
// alarms that class needs, matched by namespace, metric and dimensions (never
// by alarm names); every alarm pages someone and links its runbook. What a
// program needs beyond the built-in classes (its own metrics, a canary per
// region) is pack config.
import type { PolicyResource } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { watchedMetrics, watches, type MetricMatch, type WatchedMetric } from "./support/alarm-index";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { has, json, list, num, obj, str } from "./support/props";
import { T, describe, type StackIndex } from "./support/resources";
import { readIfKnown } from "./support/runtime";

export interface AlarmRequirement {
  /** Any one of these metrics, watched by an alarm in the resource's region, satisfies the requirement. */
  metrics: MetricMatch[];
  /** The alarm's threshold (milliseconds) must be below the function's timeout. */
  thresholdBelowTimeout?: boolean;
}

export interface AlarmClassConfig {
  enabled?: boolean;
  /** Requirements to add or replace by key; `null` removes a built-in one. */
  alarms?: Record<string, AlarmRequirement | null>;
}

export interface RequiredAlarmsConfig {
  classes?: Record<string, AlarmClassConfig>;
  /** Alarms every region that runs functions needs (a synthetic canary, say). */
  regionAlarms?: Record<string, { metrics: MetricMatch[] }>;
  /** Every alarm's description carries an http(s) runbook link (default true). */
  requireRunbookLink?: boolean;
}

interface AlarmClass {
  /** How findings name a member: "function", "dead-letter queue". */
  label: string;
  type: string;
  /** The value `{name}` stands for; undefined when unknown (an alarm's dimensions must then come from the resource). */
  identity: (r: PolicyResource) => string | undefined;
  /** Whether the resource is of the class (default: every resource of the type). */
  applies?: (stack: StackIndex, r: PolicyResource) => boolean;
  alarms: Record<string, AlarmRequirement>;
}

const metric = (namespace: string, metricName: string, dimension?: string): MetricMatch => ({
  namespace,
  metricName,
  ...(dimension ? { dimensions: { [dimension]: "{name}" } } : {}),
});

/** A queue other things dead-letter into: a queue's redrivePolicy, a function's DLQ or an on-failure destination names it. */
function isDeadLetterQueue(stack: StackIndex, q: PolicyResource): boolean {
  const refs: [string, string][] = [
    [T.queue, "redrivePolicy"],
    [T.lambda, "deadLetterConfig"],
    [T.eventInvokeConfig, "destinationConfig"],
    [T.eventTarget, "deadLetterConfig"],
    [T.topicSubscription, "redrivePolicy"],
  ];
  if (refs.some(([type, key]) => stack.ofType(type).some((r) => r.urn !== q.urn && stack.dependenciesOf(r, key).some((d) => d.urn === q.urn)))) return true;
  const name = readIfKnown(() => str(q.props.name));
  if (!name.known || name.value === undefined) return false;
  // Redrive policies written as JSON with the DLQ's ARN built from its name; another queue's unknown policy says nothing.
  return stack.ofType(T.queue).some((r) => {
    const target = readIfKnown(() => str(obj(json(r.props.redrivePolicy)).deadLetterTargetArn));
    return r.urn !== q.urn && target.known && target.value?.endsWith(`:${name.value}`) === true;
  });
}

export const BUILT_IN_CLASSES: Record<string, AlarmClass> = {
  lambda: {
    label: "function",
    type: T.lambda,
    identity: (r) => str(r.props.name),
    alarms: {
      errors: { metrics: [metric("AWS/Lambda", "Errors", "FunctionName")] },
      throttles: { metrics: [metric("AWS/Lambda", "Throttles", "FunctionName")] },
      duration: { metrics: [metric("AWS/Lambda", "Duration", "FunctionName")], thresholdBelowTimeout: true },
    },
  },
  "dead-letter-queue": {
    label: "dead-letter queue",
    type: T.queue,
    identity: (r) => str(r.props.name),
    applies: isDeadLetterQueue,
    alarms: {
      depth: { metrics: [metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName")] },
      age: { metrics: [metric("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName")] },
    },
  },
  "rds-instance": {
    label: "database",
    type: T.dbInstance,
    identity: (r) => str(r.props.identifier),
    alarms: {
      connections: { metrics: [metric("AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier")] },
      cpu: { metrics: [metric("AWS/RDS", "CPUUtilization", "DBInstanceIdentifier")] },
      storage: { metrics: [metric("AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier")] },
    },
  },
  "rest-api": {
    label: "REST API",
    type: T.restApi,
    identity: (r) => str(r.props.name),
    alarms: {
      "5xx": { metrics: [metric("AWS/ApiGateway", "5XXError", "ApiName")] },
      latency: { metrics: [metric("AWS/ApiGateway", "Latency", "ApiName")] },
    },
  },
  "http-api": {
    label: "HTTP API",
    type: T.httpApi,
    // Its ApiId exists only once created: the alarm's dimensions must come from the API.
    identity: () => undefined,
    alarms: {
      "5xx": { metrics: [metric("AWS/ApiGateway", "5xx", "ApiId")] },
      latency: { metrics: [metric("AWS/ApiGateway", "Latency", "ApiId")] },
    },
  },
};

const METRIC_MATCH: PolicyConfigJSONSchema = {
  type: "object",
  required: ["namespace", "metricName"],
  additionalProperties: false,
  properties: {
    namespace: { type: "string", minLength: 1, description: "CloudWatch namespace; {name} stands for the resource's identity" },
    metricName: { type: "string", minLength: 1 },
    dimensions: { type: "object", additionalProperties: { type: "string" } },
  },
};
const REQUIREMENT: PolicyConfigJSONSchema = {
  type: ["object", "null"],
  required: ["metrics"],
  additionalProperties: false,
  properties: { metrics: { type: "array", items: METRIC_MATCH }, thresholdBelowTimeout: { type: "boolean" } },
};

export const requiredAlarmsSpec: PolicySpec = {
  name: "required-alarms",
  description:
    "Every function has errors, throttles and duration (below its timeout) alarms; every dead-letter queue depth and age alarms; every database connections, CPU and free-storage alarms; every API 5xx and latency alarms (plus what the pack config adds); every alarm has an action and a runbook link.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create a MetricAlarm on the metric named in the finding, with the dimension naming the resource, an action in alarmActions (an SNS topic that pages someone) and `Runbook: <url>` in alarmDescription.",
  config: {
    classes: {
      type: "object",
      description: `Per class (${Object.keys(BUILT_IN_CLASSES).join(", ")}): { enabled?, alarms?: { <key>: { metrics: [...], thresholdBelowTimeout? } | null } }.`,
      additionalProperties: false,
      properties: Object.fromEntries(
        Object.keys(BUILT_IN_CLASSES).map((k) => [
          k,
          {
            type: "object",
            additionalProperties: false,
            properties: { enabled: { type: "boolean" }, alarms: { type: "object", additionalProperties: REQUIREMENT } },
          },
        ]),
      ),
    },
    regionAlarms: {
      type: "object",
      description: "Alarms every region that runs functions needs: { <key>: { metrics: [...] } }.",
      additionalProperties: {
        type: "object",
        required: ["metrics"],
        additionalProperties: false,
        properties: { metrics: { type: "array", items: METRIC_MATCH } },
      },
    },
    requireRunbookLink: { type: "boolean", description: "Every alarm's description links its runbook (default true)." },
  },
};

const RUNBOOK_RE = /https?:\/\/\S+/;

function showMatch(m: MetricMatch, identity: string | undefined): string {
  const dims = Object.entries(m.dimensions ?? {}).map(([k, v]) => `${k}=${identity === undefined ? v : v.split("{name}").join(identity)}`);
  const ns = identity === undefined ? m.namespace : m.namespace.split("{name}").join(identity);
  return `${ns} ${m.metricName}${dims.length > 0 ? ` (${dims.join(", ")})` : ""}`;
}

/** The class requirements after the config: built-in ones, replaced, removed or added to by key. */
export function effectiveClasses(config: RequiredAlarmsConfig): AlarmClass[] {
  return Object.entries(BUILT_IN_CLASSES).flatMap(([key, cls]) => {
    const overrides = config.classes?.[key];
    if (overrides?.enabled === false) return [];
    const alarms: Record<string, AlarmRequirement> = { ...cls.alarms };
    for (const [k, req] of Object.entries(overrides?.alarms ?? {})) {
      if (req === null) delete alarms[k];
      else alarms[k] = req;
    }
    return [{ ...cls, alarms }];
  });
}

function checkEveryAlarm(stack: StackIndex, ctx: CheckContext, config: RequiredAlarmsConfig): void {
  for (const alarm of stack.ofType(T.metricAlarm, T.compositeAlarm)) {
    const region = stack.regionLabel(alarm);
    const facts = ctx.inspect(alarm, () => ({
      name: str(alarm.props.name ?? alarm.props.alarmName),
      // Counting actions reads the list, not the ARNs in it, so unknown topic ARNs are fine.
      actions: list(alarm.props.alarmActions).length,
      description: str(alarm.props.alarmDescription) ?? "",
    }));
    if (!facts) continue;
    const label = facts.name ?? alarm.name;
    if (facts.actions === 0) ctx.report(alarm, `${region}: alarm ${label} has no alarmActions, so it pages nobody`);
    if (config.requireRunbookLink !== false && !RUNBOOK_RE.test(facts.description))
      ctx.report(alarm, `${region}: alarm ${label} has no runbook link in its alarmDescription`);
  }
}

function checkDuration(ctx: CheckContext, fn: PolicyResource, identity: string | undefined, metrics: WatchedMetric[], region: string): void {
  const timeout = ctx.inspect(fn, () => num(fn.props.timeout) ?? 3);
  if (timeout === undefined) return;
  for (const m of metrics) {
    if (m.threshold !== undefined && m.threshold >= timeout * 1000) {
      ctx.report(
        m.alarm,
        `${region}: alarm ${m.alarm.name} watches the Duration of function ${identity ?? fn.name} with threshold ${m.threshold} ms, not below its ${timeout} s timeout, so it cannot fire before the function is killed`,
      );
    }
  }
}

export const requiredAlarms = stackPolicy<RequiredAlarmsConfig>(requiredAlarmsSpec, (stack, ctx, config) => {
  checkEveryAlarm(stack, ctx, config);
  const watched = watchedMetrics(stack);

  for (const cls of effectiveClasses(config)) {
    for (const r of stack.ofType(cls.type)) {
      if (cls.applies && ctx.inspect(r, () => cls.applies?.(stack, r)) !== true) continue;
      const identity = ctx.inspect(r, () => cls.identity(r));
      const region = stack.regionLabel(r);
      const needsIdentity = Object.values(cls.alarms).some((req) => req.metrics.some((m) => JSON.stringify(m).includes("{name}")));
      if (
        identity === undefined &&
        needsIdentity &&
        cls.type !== T.httpApi &&
        ctx.inspect(r, () => has(r.props, cls.type === T.dbInstance ? "identifier" : "name")) === false
      ) {
        ctx.report(
          r,
          `${region}: ${cls.label} ${describe(r)} has no explicit ${cls.type === T.dbInstance ? "identifier" : "name"}, so the alarms on it cannot be matched; give it one`,
        );
        continue;
      }
      const missing: string[] = [];
      for (const [key, req] of Object.entries(cls.alarms)) {
        const matching = watched.filter((m) => req.metrics.some((match) => watches(stack, m, match, r, identity)));
        if (matching.length === 0) missing.push(`${key} (${req.metrics.map((m) => showMatch(m, identity)).join(" or ")})`);
        else if (req.thresholdBelowTimeout && cls.type === T.lambda) checkDuration(ctx, r, identity, matching, region);
      }
      if (missing.length > 0) ctx.report(r, `${region}: ${cls.label} ${identity ?? r.name} has no alarm for ${missing.join(", ")}`);
    }
  }

  for (const [key, req] of Object.entries(config.regionAlarms ?? {})) {
    for (const region of stack.regions()) {
      const functions = stack
        .ofType(T.lambda)
        .filter((f) => stack.regionOf(f) === region)
        .sort((a, b) => a.name.localeCompare(b.name));
      if (functions.length === 0) continue;
      const found = watched.some(
        (m) => m.region === region && req.metrics.some((match) => match.metricName === m.metricName && match.namespace === m.namespace),
      );
      if (!found)
        ctx.report(
          functions[0],
          `${region}: the region has no ${key} alarm (${req.metrics.map((m) => showMatch(m, undefined)).join(" or ")}), so a broken pipeline there goes unnoticed`,
        );
    }
  }
});
