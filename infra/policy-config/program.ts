// What the policy pack must know about this program, beyond the generic rules
// it applies to every Pulumi AWS program: the alarms this program requires of
// its functions, database and regions, the grants its functions need, the
// bucket it serves publicly, where its memory cap is stated, and the
// difference between regions it makes on purpose. Built from the contracts
// (contracts/), so what the pack is told is what the program builds; the pack
// itself stays self-contained and reads this as its config
// (tests/infra/pack-config.test.ts checks one against the other).
// Stack-specific settings (approved log destinations, waivers) are in
// <stack>.json beside this file; toolchain/check/pack-config.ts merges both with
// the build manifest into the one config file both `npm run check` and
// `pulumi preview --policy-pack-config` get.
import {
  API_ALARM_KINDS,
  API_ALARM_METRICS,
  CANARY_ALARM_METRIC,
  CANARY_PREFIX,
  CONNECTIONS_ALARM_METRIC,
  FUNCTION_ALARM_KINDS,
  FUNCTION_ALARM_METRICS,
  FUNCTION_ENVIRONMENTS,
  MAX_CONNECTIONS_SHARE,
  TAGS,
  type AlarmMetric,
} from "../../contracts";

/** An alarm requirement as the pack's required-alarms config takes it. */
function requirement(metric: AlarmMetric, extra: { thresholdBelowTimeout?: boolean } = {}): Record<string, unknown> {
  return {
    metrics: [{ namespace: metric.namespace, metricName: metric.metricName, ...(metric.dimensions ? { dimensions: metric.dimensions } : {}) }],
    ...extra,
  };
}

export function programPackConfig(): Record<string, unknown> {
  const thumbnails = FUNCTION_ENVIRONMENTS.thumbnails;
  const canary = FUNCTION_ENVIRONMENTS.canary;
  const ofFunction = (fn: string) => ({ tags: { [TAGS.function]: fn } });
  return {
    "required-alarms": {
      classes: {
        // Every kind this program alarms on, on the metric it watches; the duration alarm fires before the timeout.
        lambda: {
          alarms: Object.fromEntries(
            FUNCTION_ALARM_KINDS.map((kind) => [kind, requirement(FUNCTION_ALARM_METRICS[kind], kind === "duration" ? { thresholdBelowTimeout: true } : {})]),
          ),
        },
        // db-guard publishes utilization against max_connections; the alarm on it is also its trigger.
        "rds-instance": { alarms: { connections: requirement(CONNECTIONS_ALARM_METRIC) } },
        // Every HTTP API alarm this program makes, the 4xx rate included (the pack's built-in class has 5xx and latency).
        "http-api": { alarms: Object.fromEntries(API_ALARM_KINDS.map((kind) => [kind, requirement(API_ALARM_METRICS[kind])])) },
      },
      regionAlarms: { canary: requirement({ namespace: CANARY_ALARM_METRIC.namespace, metricName: CANARY_ALARM_METRIC.metricName }) },
    },
    "least-privilege-role": {
      requiredGrants: [
        {
          function: ofFunction("thumbnails"),
          action: "s3:PutObject",
          resource: `arn:aws:s3:::{env.${thumbnails.thumbnailsBucket.name}}/*`,
          why: "write thumbnails",
        },
        {
          function: ofFunction("canary"),
          action: "s3:PutObject",
          resource: `arn:aws:s3:::{env.${canary.rawBucket.name}}/${CANARY_PREFIX}*`,
          why: "upload the canary image",
        },
        {
          function: ofFunction("canary"),
          action: "s3:GetObject",
          resource: `arn:aws:s3:::{env.${canary.thumbnailsBucket.name}}/${CANARY_PREFIX}*`,
          why: "read the canary's thumbnails",
        },
      ],
    },
    "private-buckets": {
      publicBuckets: [{ bucket: "*-thumbnails-bucket", reason: "thumbnails are served to anyone through each region's CloudFront distribution" }],
    },
    // The share of max_connections this program budgets its functions (infra/budget.ts), judged as such.
    "db-connection-budget": { maxShare: MAX_CONNECTIONS_SHARE },
    // The OOM remediator states the cap it raises memory to; the pack reads it from there.
    "memory-cap": { capFromEnvironment: FUNCTION_ENVIRONMENTS["oom-remediator"].capMb.name },
    // The OOM remediator raises one region's memory when that region runs out (M8); the next `pulumi up` keeps it.
    "region-parity": { ignoreProperties: { "aws:lambda/function:Function": ["memorySize"] } },
  };
}
