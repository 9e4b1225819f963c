// oom-remediator settings: its environment as contracts/environments.ts describes it.
import { FUNCTION_ENVIRONMENTS, functionNameFromOomAlarm, memoryFloorParameter, readEnvironment, requiredRegion, type Env } from "../../contracts";

export interface OomRemediatorConfig {
  stepMb: number;
  capMb: number;
  cooldownSeconds: number;
  floorParameterPrefix: string;
  alertTopicArn: string;
  ticketTopicArn: string;
  region: string;
}

export function readOomRemediatorConfig(env: Env = process.env): OomRemediatorConfig {
  const e = readEnvironment(FUNCTION_ENVIRONMENTS["oom-remediator"], env);
  return {
    stepMb: e.stepMb,
    capMb: e.capMb,
    cooldownSeconds: e.cooldownSeconds,
    floorParameterPrefix: e.floorParameterPrefix,
    alertTopicArn: e.alertTopicArn,
    ticketTopicArn: e.ticketTopicArn,
    region: requiredRegion(e.region),
  };
}

/** `<prefix><function>`: the prefix carries its own trailing slash. */
export const floorParameterName = memoryFloorParameter;

/** The function an `<function>-oom` alarm watches; undefined for any other alarm. */
export const functionNameFromAlarm = functionNameFromOomAlarm;
