// canary settings (names: docs/contracts.md). Sizes and formats are the
// thumbnail function's own settings, read by the same parser with the same
// defaults, so the canary expects exactly what the function makes.
import { EnvVarError, integer, optionalString, requiredString, type Env } from "../shared/env";
import { thumbnailConfigFromEnv } from "../thumbnails/image/config";
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
  const region = optionalString(env, "PIPELINE_REGION") ?? optionalString(env, "AWS_REGION");
  if (region === undefined) throw new EnvVarError("PIPELINE_REGION", undefined, "the AWS region this function runs for (or set AWS_REGION)");
  const prefix = optionalString(env, "CANARY_PREFIX") ?? "canary/";
  if (!prefix.endsWith("/") || prefix.startsWith("/")) throw new EnvVarError("CANARY_PREFIX", prefix, 'a key prefix ending in "/" and not starting with one, e.g. canary/');
  return {
    rawBucket: requiredString(env, "RAW_BUCKET", "the name of the raw uploads bucket"),
    thumbnailsBucket: requiredString(env, "THUMBNAILS_BUCKET", "the name of the thumbnails bucket"),
    prefix,
    // Lambda runs at most 900 s; the check must end well inside the function's timeout.
    timeoutMs: integer(env, "CANARY_TIMEOUT_SECONDS", 120, { min: 5, max: 840 }) * 1000,
    specs: thumbnailConfigFromEnv({ ...env }).specs,
    region,
    ticketTopicArn: requiredString(env, "TICKET_TOPIC_ARN", "the ARN of the tickets SNS topic"),
  };
}
