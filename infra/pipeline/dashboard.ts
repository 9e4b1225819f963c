// CloudWatch dashboards: one per region (every function, queue, database and
// the canary) and one global overview across regions.
import {
  CANARY_METRICS,
  CONNECTION_METRICS,
  DATABASE_METRICS_NAMESPACE,
  DIMENSIONS,
  LOG_METRICS,
  METRICS_NAMESPACE,
  THUMBNAIL_METRICS,
  logMetricsNamespace,
} from "../../contracts";

export interface RegionDashboardInput {
  region: string;
  functionNames: string[];
  queueName: string;
  dlqName: string;
  dbId: string;
}

type Metric = (string | Record<string, string>)[];
interface Widget {
  type: "metric";
  width: number;
  height: number;
  properties: { title: string; region: string; metrics: Metric[]; stat: string; period: number; view: "timeSeries" };
}

function widget(title: string, region: string, metrics: Metric[], stat = "Sum", period = 300): Widget {
  return { type: "metric", width: 12, height: 6, properties: { title, region, metrics, stat, period, view: "timeSeries" } };
}

function regionWidgets(d: RegionDashboardInput, titlePrefix = ""): Widget[] {
  const perFunction = (namespace: string, metric: string) => d.functionNames.map((fn) => [namespace, metric, DIMENSIONS.functionName, fn]);
  return [
    widget(`${titlePrefix}Function errors`, d.region, perFunction("AWS/Lambda", "Errors")),
    widget(`${titlePrefix}Function throttles`, d.region, perFunction("AWS/Lambda", "Throttles")),
    widget(`${titlePrefix}Function duration (max)`, d.region, perFunction("AWS/Lambda", "Duration"), "Maximum"),
    widget(
      `${titlePrefix}Max memory used (MB)`,
      d.region,
      d.functionNames.map((fn) => [logMetricsNamespace(fn), LOG_METRICS.maxMemoryUsed]),
      "Maximum",
    ),
    widget(
      `${titlePrefix}Out of memory`,
      d.region,
      d.functionNames.map((fn) => [logMetricsNamespace(fn), LOG_METRICS.outOfMemory]),
    ),
    widget(
      `${titlePrefix}Queue depth`,
      d.region,
      [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", DIMENSIONS.queueName, d.queueName],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", DIMENSIONS.queueName, d.dlqName],
      ],
      "Maximum",
    ),
    widget(
      `${titlePrefix}Age of oldest message (s)`,
      d.region,
      [
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", DIMENSIONS.queueName, d.queueName],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", DIMENSIONS.queueName, d.dlqName],
      ],
      "Maximum",
    ),
    widget(
      `${titlePrefix}Database connections`,
      d.region,
      [
        [DATABASE_METRICS_NAMESPACE, CONNECTION_METRICS.utilization, DIMENSIONS.dbInstance, d.dbId],
        ["AWS/RDS", "CPUUtilization", DIMENSIONS.dbInstance, d.dbId, { yAxis: "right" }],
      ],
      "Maximum",
      60,
    ),
    widget(`${titlePrefix}Images processed / failed`, d.region, [
      [METRICS_NAMESPACE, THUMBNAIL_METRICS.imagesProcessed, DIMENSIONS.service, "thumbnails"],
      [METRICS_NAMESPACE, THUMBNAIL_METRICS.imagesFailed, DIMENSIONS.service, "thumbnails"],
    ]),
    widget(`${titlePrefix}Canary success`, d.region, [[METRICS_NAMESPACE, CANARY_METRICS.success, DIMENSIONS.service, "canary"]], "Minimum"),
  ];
}

export function regionDashboardBody(d: RegionDashboardInput): string {
  return JSON.stringify({ widgets: regionWidgets(d) });
}

/** The global view: per region, the signals a person checks first. */
export function globalDashboardBody(regions: RegionDashboardInput[]): string {
  const widgets = regions.flatMap((d) => {
    const thumbnails = d.functionNames.find((n) => n.endsWith("-thumbnails")) ?? d.functionNames[0];
    return [
      widget(`${d.region}: canary success`, d.region, [[METRICS_NAMESPACE, CANARY_METRICS.success, DIMENSIONS.service, "canary"]], "Minimum"),
      widget(`${d.region}: thumbnails errors and DLQ`, d.region, [
        ["AWS/Lambda", "Errors", DIMENSIONS.functionName, thumbnails],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", DIMENSIONS.queueName, d.dlqName, { yAxis: "right" }],
      ]),
    ];
  });
  return JSON.stringify({ widgets });
}
