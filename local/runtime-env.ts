// The function's process-start settings (RUNTIME_ENV, and the exec wrapper
// that lets NODE_OPTIONS hold under the bootstrap) belong to the function: a
// process started to stand in for it, or to measure it with other settings,
// must not pick them up from the shell that launched it, and a comparison
// "on the defaults" must drop all of them together.
import { FUNCTION_ENVIRONMENTS, THUMBNAILS_ENVIRONMENT } from "../contracts";
import { RUNTIME_ENV } from "../handlers/thumbnails/image";

/** `env` minus RUNTIME_ENV's keys (NODE_OPTIONS, MALLOC_ARENA_MAX), whatever their values. */
export function withoutRuntimeEnv<V>(env: Readonly<Record<string, V>>): Record<string, V> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !(key in RUNTIME_ENV)));
}

/**
 * The function's `environment` without its process-start settings (RUNTIME_ENV
 * and AWS_LAMBDA_EXEC_WRAPPER): what it runs on with the bootstrap's and
 * glibc's defaults. All or nothing: keeping RUNTIME_ENV without the wrapper
 * is a start Lambda never makes (NODE_OPTIONS' flags lose to the bootstrap's).
 */
export function withoutProcessStartSettings(environment: Readonly<Record<string, string>>): Record<string, string> {
  const { [FUNCTION_ENVIRONMENTS.thumbnails.execWrapper.name]: _wrapper, ...rest } = withoutRuntimeEnv(environment);
  return rest;
}

/**
 * How a stand-in for the thumbnails function starts: "as-deployed", with the
 * program's environment for it (RUNTIME_ENV and the exec wrapper included);
 * "bootstrap-defaults", without them, for comparison. Two named cases, so no
 * caller can keep the settings while losing the wrapper that makes them hold.
 */
export type ProcessStart = "as-deployed" | "bootstrap-defaults";

/** The thumbnails function's environment for `start`: the program's object itself when as deployed. */
export function thumbnailsEnvironmentFor(start: ProcessStart): Readonly<Record<string, string>> {
  return start === "as-deployed" ? THUMBNAILS_ENVIRONMENT : withoutProcessStartSettings(THUMBNAILS_ENVIRONMENT);
}
