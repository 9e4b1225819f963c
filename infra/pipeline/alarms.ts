// Alarms for every function, queue, database and the canary. Each has the
// alerts topic as action and a runbook link in its description; names follow
// docs/contracts.md so the remediators can find their targets.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { DATABASE_METRICS_NAMESPACE, LAMBDA_LOG_METRICS_NAMESPACE, METRIC_NAMES, METRICS_NAMESPACE, functionAlarmName, resourcePrefix, runbookUrl, type FunctionAlarmKind } from "../naming";
import { nameOf, opts, baseTags, type RegionContext } from "./context";
import type { PipelineFunction } from "./functions";

/** Share of the timeout, and of the memory size, above which a function is close to failing. */
export const NEAR_LIMIT_SHARE = 0.8;

type AlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "alarmActions" | "okActions" | "alarmDescription" | "tags">;

export function createAlarm(ctx: RegionContext, role: string, name: string, runbook: string, what: string, alertTopicArn: pulumi.Input<string>, args: AlarmArgs): aws.cloudwatch.MetricAlarm {
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

/** The namespace of one function's log-derived metrics (metric filter dimensions can only come from log fields). */
export function logMetricsNamespace(functionName: string): string {
  return `${LAMBDA_LOG_METRICS_NAMESPACE}/${functionName}`;
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
  filter("max-memory-metric", METRIC_NAMES.maxMemoryUsed, REPORT_PATTERN, "$maxMemoryUsed", "Megabytes");
  filter("memory-size-metric", METRIC_NAMES.memorySize, REPORT_PATTERN, "$memorySize", "Megabytes");
  filter("oom-metric", METRIC_NAMES.outOfMemory, OOM_PATTERN, "1", "Count");
}

export function createFunctionAlarms(ctx: RegionContext, f: PipelineFunction, alertTopicArn: pulumi.Input<string>): Record<FunctionAlarmKind, aws.cloudwatch.MetricAlarm> {
  const dims = { FunctionName: f.name };
  const lambdaMetric = { namespace: "AWS/Lambda", dimensions: dims, period: 300, evaluationPeriods: 1, treatMissingData: "notBreaching" };
  const alarm = (kind: FunctionAlarmKind, what: string, args: AlarmArgs) =>
    createAlarm(ctx, `${f.fn}-${kind}-alarm`, functionAlarmName(f.name, kind), `lambda-${kind}`, what, alertTopicArn, args);
  const namespace = logMetricsNamespace(f.name);
  return {
    errors: alarm("errors", `${f.name} returned errors.`, { ...lambdaMetric, metricName: "Errors", statistic: "Sum", comparisonOperator: "GreaterThanThreshold", threshold: 0 }),
    throttles: alarm("throttles", `${f.name} was throttled (concurrency cap reached).`, { ...lambdaMetric, metricName: "Throttles", statistic: "Sum", comparisonOperator: "GreaterThanThreshold", threshold: 0 }),
    duration: alarm("duration", `${f.name} ran longer than ${NEAR_LIMIT_SHARE * 100}% of its ${f.timeoutSeconds}s timeout.`, {
      ...lambdaMetric,
      metricName: "Duration",
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
        { id: "used", returnData: false, metric: { namespace, metricName: METRIC_NAMES.maxMemoryUsed, period: 300, stat: "Maximum" } },
        { id: "size", returnData: false, metric: { namespace, metricName: METRIC_NAMES.memorySize, period: 300, stat: "Maximum" } },
        { id: "utilization", expression: "100 * used / size", label: "Memory used (%)", returnData: true },
      ],
    }),
    oom: alarm("oom", `${f.name} ran out of memory; oom-remediator raises its memory by ${ctx.cfg.remediation.memoryStepMb} MB up to ${ctx.cfg.remediation.memoryCapMb} MB.`, {
      namespace,
      metricName: METRIC_NAMES.outOfMemory,
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "notBreaching",
    }),
  };
}

/** Depth and age alarms of a queue; `runbook` overrides the page (default queue-* or dlq-*, by kind). */
export function createQueueAlarms(ctx: RegionContext, queueRole: string, queueName: pulumi.Input<string>, physicalName: string, isDlq: boolean, alertTopicArn: pulumi.Input<string>, runbook?: string): void {
  const base = { namespace: "AWS/SQS", dimensions: { QueueName: queueName }, treatMissingData: "notBreaching" };
  const kind = isDlq ? "dlq" : "queue";
  const page = (suffix: "depth" | "age") => runbook ?? `${kind}-${suffix}`;
  createAlarm(
    ctx,
    `${queueRole}-depth-alarm`,
    `${physicalName}-depth`,
    page("depth"),
    isDlq ? `${physicalName} holds messages that failed every retry.` : `${physicalName} is backing up faster than the thumbnail function drains it.`,
    alertTopicArn,
    { ...base, metricName: "ApproximateNumberOfMessagesVisible", statistic: "Maximum", period: 300, evaluationPeriods: isDlq ? 1 : 3, comparisonOperator: "GreaterThanThreshold", threshold: isDlq ? 0 : 1000 },
  );
  createAlarm(
    ctx,
    `${queueRole}-age-alarm`,
    `${physicalName}-age`,
    page("age"),
    isDlq ? `The oldest message in ${physicalName} is more than 3 days old and will expire unprocessed.` : `The oldest message in ${physicalName} has waited more than 15 minutes.`,
    alertTopicArn,
    { ...base, metricName: "ApproximateAgeOfOldestMessage", statistic: "Maximum", period: 300, evaluationPeriods: isDlq ? 1 : 3, comparisonOperator: "GreaterThanThreshold", threshold: isDlq ? 3 * 86400 : 900 },
  );
}

/** The connections alarm is the db-guard remediation trigger: utilization above 80% for 5 of 5 one-minute periods. */
export function createDatabaseAlarms(ctx: RegionContext, dbId: string, allocatedStorageGb: number, alertTopicArn: pulumi.Input<string>): { connections: aws.cloudwatch.MetricAlarm } {
  const connections = createAlarm(
    ctx,
    "db-connections-alarm",
    `${dbId}-connections`,
    "db-connections",
    `${dbId}: active connections above ${NEAR_LIMIT_SHARE * 100}% of max_connections for 5 minutes; db-guard raises max_connections by ${ctx.cfg.database.connectionStep} up to ${ctx.cfg.database.connectionCeiling}.`,
    alertTopicArn,
    {
      namespace: DATABASE_METRICS_NAMESPACE,
      metricName: METRIC_NAMES.connectionUtilization,
      dimensions: { DBInstanceIdentifier: dbId },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      comparisonOperator: "GreaterThanThreshold",
      threshold: NEAR_LIMIT_SHARE,
      treatMissingData: "notBreaching",
    },
  );
  const rds = { namespace: "AWS/RDS", dimensions: { DBInstanceIdentifier: dbId }, period: 300, treatMissingData: "notBreaching" };
  createAlarm(ctx, "db-cpu-alarm", `${dbId}-cpu`, "db-cpu", `${dbId}: CPU above 80% for 15 minutes.`, alertTopicArn, {
    ...rds, metricName: "CPUUtilization", statistic: "Average", evaluationPeriods: 3, comparisonOperator: "GreaterThanThreshold", threshold: 80,
  });
  createAlarm(ctx, "db-storage-alarm", `${dbId}-storage`, "db-storage", `${dbId}: free storage below 10% of the allocated ${allocatedStorageGb} GiB.`, alertTopicArn, {
    ...rds, metricName: "FreeStorageSpace", statistic: "Minimum", evaluationPeriods: 1, comparisonOperator: "LessThanThreshold", threshold: Math.round(allocatedStorageGb * 1024 ** 3 * 0.1),
  });
  return { connections };
}

/** No successful canary run in 10 minutes (two schedules): a missing data point counts as a failure. */
export function createCanaryAlarm(ctx: RegionContext, alertTopicArn: pulumi.Input<string>): void {
  const name = `${resourcePrefix(ctx.cfg, ctx.region.name)}-canary`;
  createAlarm(ctx, "canary-alarm", name, "canary", `The synthetic upload in ${ctx.region.name} did not produce thumbnails and a row.`, alertTopicArn, {
    namespace: METRICS_NAMESPACE,
    metricName: METRIC_NAMES.canarySuccess,
    dimensions: { service: "canary" },
    statistic: "Minimum",
    period: 300,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    treatMissingData: "breaching",
  });
}
