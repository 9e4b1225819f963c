// The functions the program deploys and the handlers implement: each is a
// folder handlers/<name>/ bundled to dist/<name>/ (docs/contracts.md).
export const FUNCTION_NAMES = [
  "thumbnails",
  "migrate",
  "oom-remediator",
  "db-guard",
  "canary",
  "ticket-opener",
  "dlq-redriver",
  "api",
  "result-publisher",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Functions that hold one PostgreSQL connection per concurrent invocation (pool size 1). */
export const DATABASE_FUNCTIONS: readonly FunctionName[] = ["thumbnails", "migrate", "db-guard", "canary", "api", "result-publisher"];

/** Connections one invocation of a database function holds: Lambda runs one event at a time per container. */
export const POOL_SIZE = 1;

/** Log levels the functions' logger takes (POWERTOOLS_LOG_LEVEL). */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every level Powertools' logger takes: a stack sets one of LOG_LEVELS, local runs and tests may also silence it. */
export const LOGGER_LEVELS = ["TRACE", ...LOG_LEVELS, "CRITICAL", "SILENT"] as const;
