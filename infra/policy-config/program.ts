// What the policy pack must know about this program, beyond the generic rules
// it applies to every Pulumi AWS program: the alarms this program adds on its
// own metrics, the grants its functions need, the bucket it serves publicly,
// where its memory cap is stated, and the difference between regions it makes
// on purpose. Built from the names the program itself uses (naming.ts), so a
// rename reaches the pack. Stack-specific settings (approved log destinations,
// waivers) are in <stack>.json beside this file; toolchain/check/pack-config.ts
// merges both with the build manifest into the one config file both
// `npm run check` and `pulumi preview --policy-pack-config` get.
import { logMetricsNamespace } from "../pipeline/alarms";
import { CANARY_PREFIX, DATABASE_METRICS_NAMESPACE, METRIC_NAMES, METRICS_NAMESPACE } from "../naming";

/** Tag every function carries with its name in the build (infra/pipeline/functions.ts). */
const FUNCTION_TAG = "pipeline:function";

export function programPackConfig(): Record<string, unknown> {
  const functionLogMetrics = logMetricsNamespace("{name}");
  return {
    "required-alarms": {
      classes: {
        lambda: {
          alarms: {
            memory: { metrics: [{ namespace: functionLogMetrics, metricName: METRIC_NAMES.maxMemoryUsed }] },
            oom: { metrics: [{ namespace: functionLogMetrics, metricName: METRIC_NAMES.outOfMemory }] },
          },
        },
        // db-guard publishes utilization against max_connections; the alarm on it is also its trigger.
        "rds-instance": {
          alarms: {
            connections: { metrics: [{ namespace: DATABASE_METRICS_NAMESPACE, metricName: METRIC_NAMES.connectionUtilization, dimensions: { DBInstanceIdentifier: "{name}" } }] },
          },
        },
      },
      regionAlarms: { canary: { metrics: [{ namespace: METRICS_NAMESPACE, metricName: METRIC_NAMES.canarySuccess }] } },
    },
    "least-privilege-role": {
      requiredGrants: [
        { function: { tags: { [FUNCTION_TAG]: "thumbnails" } }, action: "s3:PutObject", resource: "arn:aws:s3:::{env.THUMBNAILS_BUCKET}/*", why: "write thumbnails" },
        { function: { tags: { [FUNCTION_TAG]: "canary" } }, action: "s3:PutObject", resource: `arn:aws:s3:::{env.RAW_BUCKET}/${CANARY_PREFIX}*`, why: "upload the canary image" },
        { function: { tags: { [FUNCTION_TAG]: "canary" } }, action: "s3:GetObject", resource: `arn:aws:s3:::{env.THUMBNAILS_BUCKET}/${CANARY_PREFIX}*`, why: "read the canary's thumbnails" },
      ],
    },
    "private-buckets": {
      publicBuckets: [{ bucket: "*-thumbnails-bucket", reason: "thumbnails are served to anyone through each region's CloudFront distribution" }],
    },
    // The OOM remediator states the cap it raises memory to; the pack reads it from there.
    "memory-cap": { capFromEnvironment: "MEMORY_CAP_MB" },
    // The OOM remediator raises one region's memory when that region runs out (M8); the next `pulumi up` keeps it.
    "region-parity": { ignoreProperties: { "aws:lambda/function:Function": ["memorySize"] } },
  };
}
