// EMF metrics (Powertools Metrics). Namespace and service come from
// POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME (docs/contracts.md);
// `service` is the dimension every handler metric carries.
//
// A metric with an extra dimension (ImagesFailed by reason, StageDuration by
// stage) needs its own EMF document, because every metric in one document
// shares its dimension set. DimensionedMetrics keeps one Powertools instance
// per dimension value and flushes them all together, so a batch costs one log
// line per distinct dimension value rather than one per data point.
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { COMMON_ENVIRONMENT, type Env } from "../../contracts";

export { MetricUnit };
export type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];

export interface MetricsOptions {
  namespace?: string;
  serviceName?: string;
  env?: Env;
}

export class DimensionedMetrics {
  private readonly base: Metrics;
  private readonly byDimension = new Map<string, Metrics>();
  private readonly namespace: string;
  private readonly serviceName: string | undefined;

  constructor(options: MetricsOptions = {}) {
    const env = options.env ?? process.env;
    this.namespace = options.namespace ?? (COMMON_ENVIRONMENT.metricsNamespace.read(env) as string);
    this.serviceName = options.serviceName ?? COMMON_ENVIRONMENT.serviceName.read(env);
    this.base = this.create();
  }

  private create(dimensions?: Record<string, string>): Metrics {
    return new Metrics({
      namespace: this.namespace,
      ...(this.serviceName !== undefined ? { serviceName: this.serviceName } : {}),
      ...(dimensions !== undefined ? { defaultDimensions: dimensions } : {}),
    });
  }

  /** A data point with only the service dimension. */
  add(name: string, unit: MetricUnitValue, value: number): void {
    this.base.addMetric(name, unit, value);
  }

  /** A data point with one extra dimension (e.g. reason=corrupt). */
  addWith(dimension: string, dimensionValue: string, name: string, unit: MetricUnitValue, value: number): void {
    const id = `${dimension}\u0000${dimensionValue}`;
    let metrics = this.byDimension.get(id);
    if (metrics === undefined) {
      metrics = this.create({ [dimension]: dimensionValue });
      this.byDimension.set(id, metrics);
    }
    metrics.addMetric(name, unit, value);
  }

  /** Writes every stored data point to stdout as EMF; call once at the end of each invocation. */
  flush(): void {
    if (this.base.hasStoredMetrics()) this.base.publishStoredMetrics();
    for (const metrics of this.byDimension.values()) {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  }
}
