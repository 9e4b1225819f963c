// The per-minute connection metrics, with PutMetricData (the guard runs in
// the VPC and reaches CloudWatch through the monitoring endpoint).
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { CONNECTION_METRICS as M, DATABASE_METRICS_NAMESPACE, DIMENSIONS } from "../../contracts";
import { utilization } from "./decide";
import type { ConnectionSample } from "./measure";

export const DATABASE_NAMESPACE = DATABASE_METRICS_NAMESPACE;

export function connectionMetricData(sample: ConnectionSample, instanceId: string): MetricDatum[] {
  const dimensions = [{ Name: DIMENSIONS.dbInstance, Value: instanceId }];
  const datum = (name: string, value: number, unit: "Count" | "None"): MetricDatum => ({
    MetricName: name,
    Dimensions: dimensions,
    Timestamp: sample.at,
    Value: value,
    Unit: unit,
  });
  return [
    datum(M.active, sample.active, "Count"),
    datum(M.total, sample.total, "Count"),
    datum(M.max, sample.max, "Count"),
    // A fraction 0..1 (the alarm's threshold is MAX_CONNECTIONS_SHARE), hence no Percent unit.
    datum(M.utilization, utilization(sample), "None"),
  ];
}

export async function publishConnectionMetrics(cloudwatch: CloudWatchClient, sample: ConnectionSample, instanceId: string): Promise<void> {
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: DATABASE_NAMESPACE, MetricData: connectionMetricData(sample, instanceId) }));
}
