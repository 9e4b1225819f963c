// db-guard settings: its environment as contracts/environments.ts describes it.
import {
  CONNECTION_CEILING,
  CONNECTION_STEP,
  FUNCTION_ENVIRONMENTS,
  MAX_CONNECTIONS_SHARE,
  fraction,
  readEnvironment,
  requiredRegion,
  type Env,
} from "../../contracts";

export interface ConnectionPolicy {
  /** Utilization (active / max_connections) above which a sample counts as a breach. */
  threshold: number;
  step: number;
  ceiling: number;
}

export interface DbGuardConfig extends ConnectionPolicy {
  instanceId: string;
  parameterGroup: string;
  allowReboot: boolean;
  floorParameter: string;
  alertTopicArn: string;
  ticketTopicArn: string;
  region: string;
}

export const DEFAULT_POLICY: ConnectionPolicy = { threshold: MAX_CONNECTIONS_SHARE, step: CONNECTION_STEP, ceiling: CONNECTION_CEILING };

/** A fraction in (0, 1], for a threshold given elsewhere than the function's environment (`pipectl db-guard --threshold`). */
export function readThreshold(value: string | undefined, name = FUNCTION_ENVIRONMENTS["db-guard"].threshold.name): number {
  return fraction({ [name]: value }, name, DEFAULT_POLICY.threshold);
}

export function readDbGuardConfig(env: Env = process.env): DbGuardConfig {
  const e = readEnvironment(FUNCTION_ENVIRONMENTS["db-guard"], env);
  return {
    threshold: e.threshold,
    step: e.step,
    ceiling: e.ceiling,
    instanceId: e.instanceId,
    parameterGroup: e.parameterGroup,
    allowReboot: e.allowReboot,
    floorParameter: e.floorParameter,
    alertTopicArn: e.alertTopicArn,
    ticketTopicArn: e.ticketTopicArn,
    region: requiredRegion(e.region),
  };
}
