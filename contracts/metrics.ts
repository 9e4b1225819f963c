// Metrics the handlers publish, the log metric filters derive, and the alarms
// and dashboards watch: namespaces, metric names and dimensions.

/** Handler metrics (EMF, Powertools Metrics): every one carries the `service` dimension, the function's name. */
export const METRICS_NAMESPACE = "ThumbnailPipeline";
/** db-guard's connection metrics (PutMetricData), by DB instance. */
export const DATABASE_METRICS_NAMESPACE = "ThumbnailPipeline/Database";
/** Log metric filters: one namespace per function, since a filter's dimensions can only come from the log line and REPORT/OOM lines name no function. */
export const LAMBDA_LOG_METRICS_NAMESPACE = "ThumbnailPipeline/Lambda";

/** The namespace of one function's log-derived metrics. */
export function logMetricsNamespace(lambdaFunctionName: string): string {
  return `${LAMBDA_LOG_METRICS_NAMESPACE}/${lambdaFunctionName}`;
}

export const DIMENSIONS = {
  /** Every handler metric: the function (POWERTOOLS_SERVICE_NAME). */
  service: "service",
  /** ImagesFailed: why. */
  reason: "reason",
  /** StageDuration: which stage. */
  stage: "stage",
  /** db-guard's metrics and the AWS/RDS ones. */
  dbInstance: "DBInstanceIdentifier",
  /** AWS/Lambda metrics. */
  functionName: "FunctionName",
  /** AWS/SQS metrics. */
  queueName: "QueueName",
  /** AWS/ApiGateway metrics of an HTTP API. */
  apiId: "ApiId",
} as const;

/** Published by the thumbnails function (namespace METRICS_NAMESPACE). */
export const THUMBNAIL_METRICS = {
  imagesProcessed: "ImagesProcessed",
  imagesFailed: "ImagesFailed",
  duplicateDeliveries: "DuplicateDeliveries",
  inputBytes: "InputBytes",
  outputBytes: "OutputBytes",
  stageDuration: "StageDuration",
} as const;

/** Published by the canary (namespace METRICS_NAMESPACE): 1 or 0 per run, and the run's latency in ms. */
export const CANARY_METRICS = {
  success: "CanarySuccess",
  latency: "CanaryLatency",
} as const;

/** Published by db-guard every minute (namespace DATABASE_METRICS_NAMESPACE, dimension DBInstanceIdentifier); utilization is 0..1. */
export const CONNECTION_METRICS = {
  active: "ActiveConnections",
  total: "TotalConnections",
  max: "MaxConnections",
  utilization: "ConnectionUtilization",
} as const;

/** Derived from each function's logs by metric filters (namespace logMetricsNamespace(function)). */
export const LOG_METRICS = {
  maxMemoryUsed: "MaxMemoryUsedMB",
  memorySize: "MemorySizeMB",
  outOfMemory: "OutOfMemory",
} as const;
