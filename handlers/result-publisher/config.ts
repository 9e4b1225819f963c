// The result-publisher function's settings (docs/contracts.md).
import { EVENT_BUS_ENV } from "../shared/result-events";
import { integer, optionalString, type Env } from "../shared/env";
import { EnvVarError } from "../shared/env";

export const RESULT_PUBLISHER_ENV = { busName: EVENT_BUS_ENV, maxEventsPerRun: "MAX_EVENTS_PER_RUN" } as const;

export interface ResultPublisherConfig {
  busName: string;
  maxEventsPerRun: number;
}

export function readResultPublisherConfig(env: Env): ResultPublisherConfig {
  const busName = optionalString(env, RESULT_PUBLISHER_ENV.busName) ?? "default";
  if (!/^[A-Za-z0-9._/-]{1,256}$/.test(busName) && !busName.startsWith("arn:")) {
    throw new EnvVarError(RESULT_PUBLISHER_ENV.busName, busName, "an EventBridge bus name (letters, digits, . _ / -) or ARN");
  }
  return { busName, maxEventsPerRun: integer(env, RESULT_PUBLISHER_ENV.maxEventsPerRun, 1000, { min: 1, max: 100_000 }) };
}
