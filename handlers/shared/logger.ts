// Structured JSON logs for every function (Powertools Logger). The service
// name and level come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL;
// the stack and region are persistent keys so central log queries can filter
// on them across regions.
import { Logger } from "@aws-lambda-powertools/logger";
import { COMMON_ENVIRONMENT, type Env } from "../../contracts";

export type { Logger };

/** The keys every log line about one object carries (M14: one correlation id from upload to row). */
export interface ObjectLogKeys {
  bucket?: string;
  key?: string;
  versionId?: string;
  transactionId?: string;
  correlationId?: string;
  messageId?: string;
}

export interface LoggerOptions {
  /** Overrides POWERTOOLS_SERVICE_NAME. */
  serviceName?: string;
  /** Used when POWERTOOLS_SERVICE_NAME is unset (local runs, tests): the function's own name. */
  defaultServiceName?: string;
  env?: Env;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const persistentKeys: Record<string, string> = {};
  const stack = COMMON_ENVIRONMENT.stack.read(env);
  const region = COMMON_ENVIRONMENT.region.read(env);
  if (stack !== undefined) persistentKeys.stack = stack;
  if (region !== undefined) persistentKeys.pipelineRegion = region;
  // Powertools reads the service name and level from the environment itself; the default is for local runs.
  const serviceName = options.serviceName ?? (COMMON_ENVIRONMENT.serviceName.read(env) !== undefined ? undefined : options.defaultServiceName);
  return new Logger({
    ...(serviceName !== undefined ? { serviceName } : {}),
    persistentKeys,
  });
}

/**
 * A child logger whose lines all carry the given keys. A child rather than
 * appended keys on the parent, so keys of one record never leak into the
 * lines of the next, even when invocations overlap in one process (tests,
 * the local pipeline).
 */
export function withKeys(parent: Logger, keys: ObjectLogKeys): Logger {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(keys)) {
    if (typeof value === "string" && value !== "") defined[name] = value;
  }
  return parent.createChild({ persistentKeys: defined });
}

/** An error as log fields: name, message, and the AWS/pg code when there is one. */
export function errorFields(error: unknown): Record<string, string | number> {
  if (!(error instanceof Error)) return { errorMessage: String(error) };
  const fields: Record<string, string | number> = { errorName: error.name, errorMessage: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") fields.errorCode = code;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  if (typeof status === "number") fields.httpStatusCode = status;
  return fields;
}
