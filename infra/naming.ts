// Physical and logical names shared with the handlers and the policy pack
// (docs/contracts.md). Kept in one place so a rename happens once.
import type { FunctionName, PipelineConfig } from "./config";

export const METRICS_NAMESPACE = "ThumbnailPipeline";
export const DATABASE_METRICS_NAMESPACE = "ThumbnailPipeline/Database";
export const LAMBDA_LOG_METRICS_NAMESPACE = "ThumbnailPipeline/Lambda";
export const CANARY_PREFIX = "canary/";

/** Metrics the alarms watch: published by the log metric filters (memory, OOM) and the handlers (db-guard, canary). */
export const METRIC_NAMES = {
  maxMemoryUsed: "MaxMemoryUsedMB",
  memorySize: "MemorySizeMB",
  outOfMemory: "OutOfMemory",
  connectionUtilization: "ConnectionUtilization",
  canarySuccess: "CanarySuccess",
} as const;

/** Logical name of a region's resource: `<region>-<role>`; the role is what region-parity compares. */
export function logicalName(region: string, role: string): string {
  return `${region}-${role}`;
}

export function resourcePrefix(cfg: PipelineConfig, region: string): string {
  return `${cfg.namePrefix}-${region}`;
}

export function lambdaName(cfg: PipelineConfig, region: string, fn: FunctionName): string {
  return `${resourcePrefix(cfg, region)}-${fn}`;
}

/** The log archive of one jurisdiction: its Firehose stream's name, and the prefix of its bucket and role. */
export function logArchiveName(cfg: PipelineConfig, archiveRegion: string): string {
  return `${resourcePrefix(cfg, archiveRegion)}-log-archive`;
}

export type QueueRole = "raw-events" | "raw-events-dlq" | "async-failures";

export function queueName(cfg: PipelineConfig, region: string, role: QueueRole): string {
  return `${resourcePrefix(cfg, region)}-${role}`;
}

export type TopicRole = "alerts" | "tickets";

export function topicName(cfg: PipelineConfig, region: string, role: TopicRole): string {
  return `${resourcePrefix(cfg, region)}-${role}`;
}

export type FunctionAlarmKind = "errors" | "throttles" | "duration" | "memory" | "oom";
export const FUNCTION_ALARM_KINDS: readonly FunctionAlarmKind[] = ["errors", "throttles", "duration", "memory", "oom"];

export function functionAlarmName(functionName: string, kind: FunctionAlarmKind): string {
  return `${functionName}-${kind}`;
}

export function ssmRoot(stack: string, region: string): string {
  return `/thumbnail-pipeline/${stack}/${region}`;
}

/** Prefix of the memory floors; the floor of Lambda function F is `<prefix><F>`. */
export function memoryFloorPrefix(stack: string, region: string): string {
  return `${ssmRoot(stack, region)}/memory-floor/`;
}

export function maxConnectionsFloorParameter(stack: string, region: string): string {
  return `${ssmRoot(stack, region)}/max-connections-floor`;
}

export function runbookUrl(cfg: PipelineConfig, kind: string): string {
  return `${cfg.runbookBaseUrl}/${kind}.md`;
}

export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${name}`;
}
