// The result-publisher function's settings: its environment as
// contracts/environments.ts describes it (docs/contracts.md).
import { FUNCTION_ENVIRONMENTS, readEnvironment, type Env } from "../../contracts";

export interface ResultPublisherConfig {
  busName: string;
  maxEventsPerRun: number;
}

const VARS = FUNCTION_ENVIRONMENTS["result-publisher"];

export function readResultPublisherConfig(env: Env): ResultPublisherConfig {
  const e = readEnvironment({ eventBus: VARS.eventBus, maxEventsPerRun: VARS.maxEventsPerRun }, env);
  return { busName: e.eventBus, maxEventsPerRun: e.maxEventsPerRun };
}
