// Physical and logical names the program gives. The names other parts read
// too (alarms, metrics, SSM parameters, tags) are built from the contracts
// (contracts/), so a rename happens once.
import { canaryAlarmName as canaryAlarmNameOf, type FunctionName } from "../contracts";
import type { PipelineConfig } from "./config";

export {
  CANARY_PREFIX,
  DATABASE_METRICS_NAMESPACE,
  FUNCTION_ALARM_KINDS,
  LAMBDA_LOG_METRICS_NAMESPACE,
  METRICS_NAMESPACE,
  databaseAlarmName,
  functionAlarmName,
  logMetricsNamespace,
  maxConnectionsFloorParameter,
  memoryFloorPrefix,
  queueAlarmName,
  ssmRoot,
  type FunctionAlarmKind,
} from "../contracts";

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

/** The region's canary alarm (the redriver waits for it to be OK). */
export function canaryAlarmName(cfg: PipelineConfig, region: string): string {
  return canaryAlarmNameOf(resourcePrefix(cfg, region));
}

export function runbookUrl(cfg: PipelineConfig, kind: string): string {
  return `${cfg.runbookBaseUrl}/${kind}.md`;
}

export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${name}`;
}
