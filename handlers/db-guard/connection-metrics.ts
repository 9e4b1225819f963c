// The per-minute connection metrics, with PutMetricData (the guard runs in
// the VPC and reaches CloudWatch through the monitoring endpoint).
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { utilization } from "./decide";
import type { ConnectionSample } from "./measure";

export const DATABASE_NAMESPACE = "ThumbnailPipeline/Database";

export function connectionMetricData(sample: ConnectionSample, instanceId: string): MetricDatum[] {
  const dimensions = [{ Name: "DBInstanceIdentifier", Value: instanceId }];
  const datum = (name: string, value: number, unit: "Count" | "None"): MetricDatum => ({
    MetricName: name,
    Dimensions: dimensions,
    Timestamp: sample.at,
    Value: value,
    Unit: unit,
  });
  return [
    datum("ActiveConnections", sample.active, "Count"),
    datum("TotalConnections", sample.total, "Count"),
    datum("MaxConnections", sample.max, "Count"),
    // A fraction 0..1 (the alarm's threshold is 0.8), hence no Percent unit.
    datum("ConnectionUtilization", utilization(sample), "None"),
  ];
}

export async function publishConnectionMetrics(cloudwatch: CloudWatchClient, sample: ConnectionSample, instanceId: string): Promise<void> {
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: DATABASE_NAMESPACE, MetricData: connectionMetricData(sample, instanceId) }));
}
