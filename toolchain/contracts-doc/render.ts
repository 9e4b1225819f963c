// The parts of docs/contracts.md that restate contracts/, rendered from it:
// `npm run docs:contracts` writes them between their markers, and
// tests/toolchain/contracts-doc/render.test.ts fails when the file is stale.
import {
  CANARY_ALARM_METRIC,
  CONNECTIONS_ALARM_METRIC,
  DATABASE_ALARM_KINDS,
  FUNCTION_ALARM_KINDS,
  FUNCTION_ALARM_METRICS,
  QUEUE_ALARM_KINDS,
  type AlarmMetric,
} from "../../contracts/alarms";
import type { EnvVar, Setter } from "../../contracts/env";
import { COMMON_ENVIRONMENT, FUNCTION_ENVIRONMENTS } from "../../contracts/environments";
import { DATABASE_FUNCTIONS, FUNCTION_NAMES, LOG_LEVELS } from "../../contracts/functions";
import {
  CANARY_METRICS,
  CONNECTION_METRICS,
  DATABASE_METRICS_NAMESPACE,
  DIMENSIONS,
  LOG_METRICS,
  METRICS_NAMESPACE,
  THUMBNAIL_METRICS,
  logMetricsNamespace,
} from "../../contracts/metrics";
import { CANARY_PREFIX, TAGS, maxConnectionsFloorParameter, memoryFloorParameter, memoryFloorPrefix } from "../../contracts/names";
import { DEFAULT_RETRY_SCHEDULE, SQS_MAX_VISIBILITY_SECONDS, survivableOutageSeconds } from "../../contracts/retry-schedule";
import * as T from "../../contracts/thresholds";
import {
  DEFAULT_FORMATS,
  DEFAULT_IMAGE_LIMITS,
  DEFAULT_SIZES,
  FORMAT_ALIASES,
  OUTPUT_FORMATS,
  RUNTIME_ENV,
  SIZE_NAME_EXPECTED,
  THUMBNAIL_WIDTH,
  formatSizes,
} from "../../contracts/thumbnails";

const code = (s: string | number) => `\`${s}\``;

function metricText(m: AlarmMetric): string {
  const dims = m.dimensions
    ? ` (${Object.entries(m.dimensions)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")})`
    : "";
  return `${code(m.namespace)} ${code(m.metricName)}${dims}`;
}

const SET_BY: Record<Setter, string> = { always: "yes", "when-set": "when configured", never: "no" };

function environmentSection(): string {
  type Row = { v: EnvVar<unknown>; users: string[] };
  const rows: Row[] = [];
  const common = new Set(Object.values(COMMON_ENVIRONMENT).map((v) => v.name));
  for (const fn of FUNCTION_NAMES) {
    for (const v of Object.values(FUNCTION_ENVIRONMENTS[fn]) as EnvVar<unknown>[]) {
      if (common.has(v.name)) continue;
      const row = rows.find((r) => r.v.name === v.name && r.v.meaning === v.meaning);
      if (row) row.users.push(fn);
      else rows.push({ v, users: [fn] });
    }
  }
  const line = (v: EnvVar<unknown>, users: string) =>
    `| ${code(v.name)} | ${users} | ${SET_BY[v.setter]} | ${v.shownDefault !== undefined ? code(v.shownDefault) : ""} | ${v.meaning} |`;
  return [
    "| variable | used by | the program sets it | default | meaning |",
    "|---|---|---|---|---|",
    ...Object.values(COMMON_ENVIRONMENT).map((v) => line(v as EnvVar<unknown>, "every function")),
    ...rows.sort((a, b) => a.v.name.localeCompare(b.v.name) || a.users[0].localeCompare(b.users[0])).map((r) => line(r.v, r.users.join(", "))),
  ].join("\n");
}

function thresholdsSection(): string {
  return [
    `- Share of max_connections: ${code(T.MAX_CONNECTIONS_SHARE)}. The functions together hold at most this share at full concurrency (pool size 1 per invocation; the RDS Proxy's pool gets the same share), and db-guard's alarm counts a minute as a breach above it.`,
    `- Breach window: ${T.CONNECTION_WINDOW.periods} consecutive periods of ${T.CONNECTION_WINDOW.periodSeconds} s; db-guard then raises max_connections by ${code(T.CONNECTION_STEP)}, never above ${code(T.CONNECTION_CEILING)}.`,
    `- Near a limit: ${code(T.NEAR_LIMIT_SHARE)} of a function's timeout (duration alarm) and of its memory (memory alarm).`,
    `- OOM: memory goes up by ${code(T.MEMORY_STEP_MB)} MB per OOM, never above ${code(T.MEMORY_CAP_MB)} MB, and not again within ${code(T.REMEDIATION_COOLDOWN_SECONDS)} s; Lambda allows ${T.LAMBDA_MEMORY_MB.min} to ${T.LAMBDA_MEMORY_MB.max} MB.`,
    `- Retry schedule: a failed message is held back ${DEFAULT_RETRY_SCHEDULE.baseSeconds} s x 2^(receives-1) (at most ${SQS_MAX_VISIBILITY_SECONDS} s) over ${DEFAULT_RETRY_SCHEDULE.maxReceiveCount} receives, which survives an outage of ${Math.floor(survivableOutageSeconds(DEFAULT_RETRY_SCHEDULE) / 60)} minutes.`,
    `- Dead letters: each goes back at most ${code(T.MAX_REDRIVES)} times, ${code(T.MAX_MESSAGES_PER_RUN)} per run.`,
    `- Canary: the whole check ends within ${code(T.CANARY_TIMEOUT_SECONDS)} s.`,
  ].join("\n");
}

function thumbnailsSection(): string {
  return [
    `- Formats: ${OUTPUT_FORMATS.map(code).join(", ")} (also spelled ${Object.entries(FORMAT_ALIASES)
      .map(([alias, f]) => `${code(alias)} for ${code(f)}`)
      .join(", ")}); default ${code(DEFAULT_FORMATS.join(","))}, the first being the primary.`,
    `- Sizes: a name of ${SIZE_NAME_EXPECTED}, and a width from ${THUMBNAIL_WIDTH.min} to ${THUMBNAIL_WIDTH.max} px; names are unique. Default ${code(formatSizes(DEFAULT_SIZES))}.`,
    `- Inputs above ${code(DEFAULT_IMAGE_LIMITS.maxInputBytes)} bytes or ${code(DEFAULT_IMAGE_LIMITS.maxInputPixels)} pixels (per frame) are refused before decoding.`,
    `- The same rule holds for the stack config (\`thumbnail-pipeline:thumbnails\`) and for THUMBNAIL_SIZES / THUMBNAIL_FORMATS.`,
    `- Process-start settings of the thumbnails function (RUNTIME_ENV): ${Object.entries(RUNTIME_ENV)
      .map(([k, v]) => `${code(k)}=${code(v)}`)
      .join(", ")}.`,
  ].join("\n");
}

function alarmsSection(): string {
  return [
    `- Function alarms: \`<lambda function name>-<kind>\`, kind in ${FUNCTION_ALARM_KINDS.map(code).join(", ")}, watching ${FUNCTION_ALARM_KINDS.map((k) => `${k}: ${metricText(FUNCTION_ALARM_METRICS[k])}`).join("; ")} ({name} is the function's name). oom-remediator takes the function's name from an alarm name by removing \`-oom\`.`,
    `- Queue alarms: \`<queue name>-<kind>\`, kind in ${QUEUE_ALARM_KINDS.map(code).join(", ")}.`,
    `- Database alarms: \`<db instance id>-<kind>\`, kind in ${DATABASE_ALARM_KINDS.map(code).join(", ")}; connections watches ${metricText(CONNECTIONS_ALARM_METRIC)}.`,
    `- Canary alarm: \`<prefix>-<region>-canary\`, watching ${metricText(CANARY_ALARM_METRIC)}.`,
    `- Handler metrics: namespace ${code(METRICS_NAMESPACE)}, dimension ${code(DIMENSIONS.service)} (the function's name): ${Object.values(THUMBNAIL_METRICS).map(code).join(", ")} (thumbnails; ${code(THUMBNAIL_METRICS.imagesFailed)} also by ${code(DIMENSIONS.reason)}, ${code(THUMBNAIL_METRICS.stageDuration)} by ${code(DIMENSIONS.stage)}), ${Object.values(CANARY_METRICS).map(code).join(", ")} (canary: 1/0, ms).`,
    `- db-guard metrics: namespace ${code(DATABASE_METRICS_NAMESPACE)}, dimension ${code(DIMENSIONS.dbInstance)}: ${Object.values(CONNECTION_METRICS).map(code).join(", ")} (utilization 0..1).`,
    `- Log metric filters: namespace ${code(logMetricsNamespace("<lambda function name>"))}, no dimension (a metric filter's dimensions can only come from fields of the log line, and REPORT/OOM lines carry no function name): ${Object.values(LOG_METRICS).map(code).join(", ")}.`,
  ].join("\n");
}

function namesSection(): string {
  const prefix = memoryFloorPrefix("<stack>", "<region>");
  return [
    `- ${code(memoryFloorParameter(prefix, "<function name>"))}: MB, recorded by oom-remediator.`,
    `- ${code(maxConnectionsFloorParameter("<stack>", "<region>"))}: an integer, recorded by db-guard.`,
    `- Tags: ${Object.values(TAGS).map(code).join(", ")}; every function carries ${code(TAGS.function)} (its manifest key), ${code(TAGS.bundleHash)} and ${code(TAGS.commit)}.`,
    `- Canary objects live under ${code(CANARY_PREFIX)} in both buckets.`,
    `- Functions: ${FUNCTION_NAMES.map(code).join(", ")}; those using PostgreSQL: ${DATABASE_FUNCTIONS.map(code).join(", ")}. Log levels: ${LOG_LEVELS.map(code).join(", ")}.`,
  ].join("\n");
}

/** Each generated section of docs/contracts.md, by marker name. */
export function contractSections(): Record<string, string> {
  return {
    environment: environmentSection(),
    thresholds: thresholdsSection(),
    thumbnails: thumbnailsSection(),
    alarms: alarmsSection(),
    names: namesSection(),
  };
}

const begin = (name: string) => `<!-- generated from contracts/ (npm run docs:contracts): ${name} -->`;
const end = (name: string) => `<!-- end of generated: ${name} -->`;

/** The document with every marked section replaced by its rendering; a missing marker is an error. */
export function withContractSections(doc: string, sections: Record<string, string> = contractSections()): string {
  let out = doc;
  for (const [name, body] of Object.entries(sections)) {
    const from = out.indexOf(begin(name));
    const to = out.indexOf(end(name));
    if (from < 0 || to < from) throw new Error(`docs/contracts.md has no section "${name}": add the lines ${begin(name)} and ${end(name)}`);
    out = `${out.slice(0, from)}${begin(name)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}
