// The function's process-start settings (RUNTIME_ENV) belong to the function:
// a process started to stand in for it, or to measure it with other settings,
// must not pick them up from the shell that launched it.
import { RUNTIME_ENV } from "../handlers/thumbnails/image";

/** `env` minus RUNTIME_ENV's keys (NODE_OPTIONS, MALLOC_ARENA_MAX), whatever their values. */
export function withoutRuntimeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !(key in RUNTIME_ENV)));
}
