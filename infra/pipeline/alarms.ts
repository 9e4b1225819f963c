// Alarms for every function, queue, database and the canary. Each has the
// alerts topic as action and a runbook link in its description; names,
// metrics and thresholds are the contracts' (contracts/alarms.ts,
// contracts/metrics.ts, contracts/thresholds.ts), so the remediators find
// their targets and the pack is told to require exactly these.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import {
  CANARY_ALARM_METRIC,
  CONNECTIONS_ALARM_METRIC,
  CONNECTION_WINDOW,
  DIMENSIONS,
  FUNCTION_ALARM_METRICS,
  LOG_METRICS,
  MAX_CONNECTIONS_SHARE,
  NEAR_LIMIT_SHARE,
  databaseAlarmName,
  functionAlarmName,
  logMetricsNamespace,
  queueAlarmName,
  type AlarmMetric,
  type FunctionAlarmKind,
} from "../../contracts";
import { canaryAlarmName, runbookUrl } from "../naming";
import { nameOf, opts, baseTags, type RegionContext } from "./context";
import type { PipelineFunction } from "./functions";

/** An alarm metric of the contracts, for one resource: `{name}` replaced by its identity. */
function watched(metric: AlarmMetric, identity: string): { namespace: string; metricName: string; dimensions?: Record<string, string> } {
  const fill = (v: string) => v.split("{name}").join(identity);
  return {
    namespace: fill(metric.namespace),
    metricName: metric.metricName,
    ...(metric.dimensions ? { dimensions: Object.fromEntries(Object.entries(metric.dimensions).map(([k, v]) => [k, fill(v)])) } : {}),
  };
}

type AlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "alarmActions" | "okActions" | "alarmDescription" | "tags">;

export function createAlarm(
  ctx: RegionContext,
  role: string,
  name: string,
  runbook: string,
  what: string,
  alertTopicArn: pulumi.Input<string>,
  args: AlarmArgs,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    nameOf(ctx, role),
    {
      ...args,
      name,
      alarmDescription: `${what} Runbook: ${runbookUrl(ctx.cfg, runbook)}`,
      alarmActions: [alertTopicArn],
      okActions: [alertTopicArn],
      tags: baseTags(ctx, role),
    },
    opts(ctx),
  );
}

// Fields of the platform's Text-format REPORT line, in order.
const REPORT_PATTERN =
  '[type="REPORT", requestIdLabel="RequestId:", requestId, durationLabel="Duration:", duration, durationUnit="ms", billedLabel1="Billed", billedLabel2="Duration:", billedDuration, billedUnit="ms", sizeLabel1="Memory", sizeLabel2="Size:", memorySize, sizeUnit="MB", usedLabel1="Max", usedLabel2="Memory", usedLabel3="Used:", maxMemoryUsed, usedUnit="MB", ...]';
const OOM_PATTERN = '?"signal: killed" ?"Runtime.OutOfMemory"';

export function createFunctionMetricFilters(ctx: RegionContext, f: PipelineFunction): void {
  const namespace = logMetricsNamespace(f.name);
  const filter = (role: string, metricName: string, pattern: string, value: string, unit: string) =>
    new aws.cloudwatch.LogMetricFilter(
      nameOf(ctx, `${f.fn}-${role}`),
      { name: `${f.name}-${role}`, logGroupName: f.logGroup.name, pattern, metricTransformation: { namespace, name: metricName, value, unit } },
      opts(ctx),
    );
  filter("max-memory-metric", LOG_METRICS.maxMemoryUsed, REPORT_PATTERN, "$maxMemoryUsed", "Megabytes");
  filter("memory-size-metric", LOG_METRICS.memorySize, REPORT_PATTERN, "$memorySize", "Megabytes");
  filter("oom-metric", LOG_METRICS.outOfMemory, OOM_PATTERN, "1", "Count");
}

export function createFunctionAlarms(
  ctx: RegionContext,
  f: PipelineFunction,
  alertTopicArn: pulumi.Input<string>,
): Record<FunctionAlarmKind, aws.cloudwatch.MetricAlarm> {
  const lambdaMetric = { period: 300, evaluationPeriods: 1, treatMissingData: "notBreaching" };
  const metric = (kind: FunctionAlarmKind) => watched(FUNCTION_ALARM_METRICS[kind], f.name);
  const alarm = (kind: FunctionAlarmKind, what: string, args: AlarmArgs) =>
    createAlarm(ctx, `${f.fn}-${kind}-alarm`, functionAlarmName(f.name, kind), `lambda-${kind}`, what, alertTopicArn, args);
  const namespace = logMetricsNamespace(f.name);
  return {
    errors: alarm("errors", `${f.name} returned errors.`, {
      ...lambdaMetric,
      ...metric("errors"),
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
    }),
    throttles: alarm("throttles", `${f.name} was throttled (concurrency cap reached).`, {
      ...lambdaMetric,
      ...metric("throttles"),
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
    }),
    duration: alarm("duration", `${f.name} ran longer than ${NEAR_LIMIT_SHARE * 100}% of its ${f.timeoutSeconds}s timeout.`, {
      ...lambdaMetric,
      ...metric("duration"),
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: Math.round(f.timeoutSeconds * 1000 * NEAR_LIMIT_SHARE),
    }),
    // Metric math on both REPORT-line metrics, so the alarm follows a memory size the remediator raised.
    memory: alarm("memory", `${f.name} used more than ${NEAR_LIMIT_SHARE * 100}% of its memory.`, {
      comparisonOperator: "GreaterThanThreshold",
      threshold: NEAR_LIMIT_SHARE * 100,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      metricQueries: [
        // An alarm evaluates exactly one series: the inputs must say returnData false (AWS defaults it to true).
        { id: "used", returnData: false, metric: { ...metric("memory"), period: 300, stat: "Maximum" } },
        { id: "size", returnData: false, metric: { namespace, metricName: LOG_METRICS.memorySize, period: 300, stat: "Maximum" } },
        { id: "utilization", expression: "100 * used / size", label: "Memory used (%)", returnData: true },
      ],
    }),
    oom: alarm(
      "oom",
      `${f.name} ran out of memory; oom-remediator raises its memory by ${ctx.cfg.remediation.memoryStepMb} MB up to ${ctx.cfg.remediation.memoryCapMb} MB.`,
      {
        ...metric("oom"),
        statistic: "Sum",
        period: 60,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        treatMissingData: "notBreaching",
      },
    ),
  };
}

/** Depth and age alarms of a queue; `runbook` overrides the page (default queue-* or dlq-*, by kind). */
export function createQueueAlarms(
  ctx: RegionContext,
  queueRole: string,
  queueName: pulumi.Input<string>,
  physicalName: string,
  isDlq: boolean,
  alertTopicArn: pulumi.Input<string>,
  runbook?: string,
): void {
  const base = { namespace: "AWS/SQS", dimensions: { [DIMENSIONS.queueName]: queueName }, treatMissingData: "notBreaching" };
  const kind = isDlq ? "dlq" : "queue";
  const page = (suffix: "depth" | "age") => runbook ?? `${kind}-${suffix}`;
  createAlarm(
    ctx,
    `${queueRole}-depth-alarm`,
    queueAlarmName(physicalName, "depth"),
    page("depth"),
    isDlq ? `${physicalName} holds messages that failed every retry.` : `${physicalName} is backing up faster than the thumbnail function drains it.`,
    alertTopicArn,
    {
      ...base,
      metricName: "ApproximateNumberOfMessagesVisible",
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: isDlq ? 1 : 3,
      comparisonOperator: "GreaterThanThreshold",
      threshold: isDlq ? 0 : 1000,
    },
  );
  createAlarm(
    ctx,
    `${queueRole}-age-alarm`,
    queueAlarmName(physicalName, "age"),
    page("age"),
    isDlq
      ? `The oldest message in ${physicalName} is more than 3 days old and will expire unprocessed.`
      : `The oldest message in ${physicalName} has waited more than 15 minutes.`,
    alertTopicArn,
    {
      ...base,
      metricName: "ApproximateAgeOfOldestMessage",
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: isDlq ? 1 : 3,
      comparisonOperator: "GreaterThanThreshold",
      threshold: isDlq ? 3 * 86400 : 900,
    },
  );
}

/** The connections alarm is the db-guard remediation trigger: utilization above the share for 5 of 5 one-minute periods. */
export function createDatabaseAlarms(
  ctx: RegionContext,
  dbId: string,
  allocatedStorageGb: number,
  alertTopicArn: pulumi.Input<string>,
): { connections: aws.cloudwatch.MetricAlarm } {
  const connections = createAlarm(
    ctx,
    "db-connections-alarm",
    databaseAlarmName(dbId, "connections"),
    "db-connections",
    `${dbId}: active connections above ${MAX_CONNECTIONS_SHARE * 100}% of max_connections for ${(CONNECTION_WINDOW.periods * CONNECTION_WINDOW.periodSeconds) / 60} minutes; db-guard raises max_connections by ${ctx.cfg.database.connectionStep} up to ${ctx.cfg.database.connectionCeiling}.`,
    alertTopicArn,
    {
      ...watched(CONNECTIONS_ALARM_METRIC, dbId),
      statistic: "Maximum",
      period: CONNECTION_WINDOW.periodSeconds,
      evaluationPeriods: CONNECTION_WINDOW.periods,
      datapointsToAlarm: CONNECTION_WINDOW.periods,
      comparisonOperator: "GreaterThanThreshold",
      threshold: MAX_CONNECTIONS_SHARE,
      treatMissingData: "notBreaching",
    },
  );
  const rds = { namespace: "AWS/RDS", dimensions: { [DIMENSIONS.dbInstance]: dbId }, period: 300, treatMissingData: "notBreaching" };
  createAlarm(ctx, "db-cpu-alarm", databaseAlarmName(dbId, "cpu"), "db-cpu", `${dbId}: CPU above 80% for 15 minutes.`, alertTopicArn, {
    ...rds,
    metricName: "CPUUtilization",
    statistic: "Average",
    evaluationPeriods: 3,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 80,
  });
  createAlarm(
    ctx,
    "db-storage-alarm",
    databaseAlarmName(dbId, "storage"),
    "db-storage",
    `${dbId}: free storage below 10% of the allocated ${allocatedStorageGb} GiB.`,
    alertTopicArn,
    {
      ...rds,
      metricName: "FreeStorageSpace",
      statistic: "Minimum",
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: Math.round(allocatedStorageGb * 1024 ** 3 * 0.1),
    },
  );
  return { connections };
}

/** No successful canary run in 10 minutes (two schedules): a missing data point counts as a failure. */
export function createCanaryAlarm(ctx: RegionContext, alertTopicArn: pulumi.Input<string>): void {
  const name = canaryAlarmName(ctx.cfg, ctx.region.name);
  createAlarm(ctx, "canary-alarm", name, "canary", `The synthetic upload in ${ctx.region.name} did not produce thumbnails and a row.`, alertTopicArn, {
    ...watched(CANARY_ALARM_METRIC, "canary"),
    statistic: "Minimum",
    period: 300,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    treatMissingData: "breaching",
  });
}
