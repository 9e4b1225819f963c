// canary settings: its environment as contracts/environments.ts describes it.
// Sizes and formats are the thumbnail function's own settings, read by the
// same variables with the same defaults, so the canary expects exactly what
// the function makes.
import { FUNCTION_ENVIRONMENTS, readEnvironment, requiredRegion, type Env } from "../../contracts";
import { buildSpecs } from "../thumbnails/image/config";
import type { ThumbnailSpec } from "../thumbnails/image/types";

export interface CanaryConfig {
  rawBucket: string;
  thumbnailsBucket: string;
  prefix: string;
  timeoutMs: number;
  specs: ThumbnailSpec[];
  region: string;
  ticketTopicArn: string;
}

export function readCanaryConfig(env: Env = process.env): CanaryConfig {
  const e = readEnvironment(FUNCTION_ENVIRONMENTS.canary, env);
  return {
    rawBucket: e.rawBucket,
    thumbnailsBucket: e.thumbnailsBucket,
    prefix: e.prefix as string,
    timeoutMs: e.timeoutSeconds * 1000,
    specs: buildSpecs(e.sizes, e.formats),
    region: requiredRegion(e.region),
    ticketTopicArn: e.ticketTopicArn,
  };
}
