// The alarms the program creates and the automation reacts to. Names are
// explicit so the remediators can find their targets: oom-remediator takes a
// function's name from its `-oom` alarm's name.
import { CANARY_METRICS, CONNECTION_METRICS, DATABASE_METRICS_NAMESPACE, DIMENSIONS, LOG_METRICS, METRICS_NAMESPACE, logMetricsNamespace } from "./metrics";

export const FUNCTION_ALARM_KINDS = ["errors", "throttles", "duration", "memory", "oom"] as const;
export type FunctionAlarmKind = (typeof FUNCTION_ALARM_KINDS)[number];

export const QUEUE_ALARM_KINDS = ["depth", "age"] as const;
export type QueueAlarmKind = (typeof QUEUE_ALARM_KINDS)[number];

export const DATABASE_ALARM_KINDS = ["connections", "cpu", "storage"] as const;
export type DatabaseAlarmKind = (typeof DATABASE_ALARM_KINDS)[number];

export const API_ALARM_KINDS = ["5xx", "latency", "4xx-rate"] as const;
export type ApiAlarmKind = (typeof API_ALARM_KINDS)[number];

/** `<lambda function name>-<kind>`. */
export function functionAlarmName(lambdaFunctionName: string, kind: FunctionAlarmKind): string {
  return `${lambdaFunctionName}-${kind}`;
}

/** The function an `<function>-oom` alarm watches; undefined for any other alarm. */
export function functionNameFromOomAlarm(alarmName: string): string | undefined {
  const suffix = `-${"oom" satisfies FunctionAlarmKind}`;
  return alarmName.endsWith(suffix) && alarmName.length > suffix.length ? alarmName.slice(0, -suffix.length) : undefined;
}

/** `<queue name>-<kind>`. */
export function queueAlarmName(queueName: string, kind: QueueAlarmKind): string {
  return `${queueName}-${kind}`;
}

/** `<db instance id>-<kind>`. */
export function databaseAlarmName(dbInstanceId: string, kind: DatabaseAlarmKind): string {
  return `${dbInstanceId}-${kind}`;
}

/** `<prefix>-<region>-api-<kind>`: the region's HTTP API alarms. */
export function apiAlarmName(regionPrefix: string, kind: ApiAlarmKind): string {
  return `${regionPrefix}-api-${kind}`;
}

/** `<prefix>-<region>-canary`: the region's canary alarm (dlq-redriver waits for it to be OK). */
export function canaryAlarmName(regionPrefix: string): string {
  return `${regionPrefix}-canary`;
}

export interface AlarmMetric {
  namespace: string;
  metricName: string;
  /** `{name}` stands for the watched resource's identity (function name, DB instance id). */
  dimensions?: Record<string, string>;
}

/**
 * What each function alarm watches, with `{name}` for the function's name:
 * the program's alarms are built from these, and the pack is told to require
 * them (infra/policy-config/program.ts).
 */
export const FUNCTION_ALARM_METRICS: Readonly<Record<FunctionAlarmKind, AlarmMetric>> = {
  errors: { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { [DIMENSIONS.functionName]: "{name}" } },
  throttles: { namespace: "AWS/Lambda", metricName: "Throttles", dimensions: { [DIMENSIONS.functionName]: "{name}" } },
  duration: { namespace: "AWS/Lambda", metricName: "Duration", dimensions: { [DIMENSIONS.functionName]: "{name}" } },
  memory: { namespace: logMetricsNamespace("{name}"), metricName: LOG_METRICS.maxMemoryUsed },
  oom: { namespace: logMetricsNamespace("{name}"), metricName: LOG_METRICS.outOfMemory },
};

/** db-guard's utilization, watched by the connections alarm that also triggers its remediation. */
export const CONNECTIONS_ALARM_METRIC: AlarmMetric = {
  namespace: DATABASE_METRICS_NAMESPACE,
  metricName: CONNECTION_METRICS.utilization,
  dimensions: { [DIMENSIONS.dbInstance]: "{name}" },
};

/** The region's canary alarm: no successful run in two schedules. */
export const CANARY_ALARM_METRIC: AlarmMetric = {
  namespace: METRICS_NAMESPACE,
  metricName: CANARY_METRICS.success,
  dimensions: { [DIMENSIONS.service]: "canary" },
};

/**
 * What each HTTP API alarm watches, `{name}` standing for the API (its ApiId
 * exists only once created, so the pack matches it by reference): the
 * program's alarms are built from these, and the pack is told to require
 * them. The 4xx-rate alarm divides 4xx by Count in a metric query.
 */
export const API_ALARM_METRICS: Readonly<Record<ApiAlarmKind, AlarmMetric>> = {
  "5xx": { namespace: "AWS/ApiGateway", metricName: "5xx", dimensions: { [DIMENSIONS.apiId]: "{name}" } },
  latency: { namespace: "AWS/ApiGateway", metricName: "Latency", dimensions: { [DIMENSIONS.apiId]: "{name}" } },
  "4xx-rate": { namespace: "AWS/ApiGateway", metricName: "4xx", dimensions: { [DIMENSIONS.apiId]: "{name}" } },
};
