// The function's process-start settings (RUNTIME_ENV, and the exec wrapper
// that lets NODE_OPTIONS hold under the bootstrap) belong to the function: a
// process started to stand in for it, or to measure it with other settings,
// must not pick them up from the shell that launched it, and a comparison
// "on the defaults" must drop all of them together.
import { FUNCTION_ENVIRONMENTS } from "../contracts";
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
