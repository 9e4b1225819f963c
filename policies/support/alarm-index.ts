// The metrics each CloudWatch alarm of a stack watches (its own metric, or
// every metric of its metric-math queries), with their dimensions and region,
// and whether an alarm watches a given resource. Shared by required-alarms
// (which reports) and region-parity (which compares).
import type { PolicyResource } from "@pulumi/policy";
import { isObject, list, num, obj, str } from "./props";
import { readIfKnown } from "./runtime";
import { T, type StackIndex } from "./resources";

export interface WatchedMetric {
  alarm: PolicyResource;
  region: string | undefined;
  namespace: string | undefined;
  metricName: string | undefined;
  /** Dimension values; undefined where the value is unknown at preview. */
  dimensions: Record<string, string | undefined>;
  /** The alarm's threshold when it watches this metric alone (no metric math). */
  threshold: number | undefined;
}

/** A metric an alarm must watch: `{name}` in the namespace or a dimension stands for the resource's identity. */
export interface MetricMatch {
  namespace: string;
  metricName: string;
  dimensions?: Record<string, string>;
}

function known<R>(read: () => R): R | undefined {
  const r = readIfKnown(read);
  return r.known ? r.value : undefined;
}

function dims(raw: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const d = known(() => obj(raw));
  if (!d) return out;
  for (const key of Object.keys(d)) out[key] = known(() => str(d[key]));
  return out;
}

/** Every metric of every alarm, read without reporting unknowns (a policy that needs a value reports it itself). */
export function watchedMetrics(stack: StackIndex): WatchedMetric[] {
  const out: WatchedMetric[] = [];
  for (const alarm of stack.ofType(T.metricAlarm)) {
    const region = stack.regionOf(alarm);
    const p = alarm.props;
    const queries = known(() => list(p.metricQueries)) ?? [];
    if (queries.length === 0) {
      out.push({
        alarm,
        region,
        namespace: known(() => str(p.namespace)),
        metricName: known(() => str(p.metricName)),
        dimensions: dims(known(() => p.dimensions)),
        threshold: known(() => num(p.threshold)),
      });
      continue;
    }
    for (const q of queries) {
      const metric = known(() => (isObject(q) ? obj(q.metric) : {}));
      if (!metric || Object.keys(metric).length === 0) continue;
      out.push({
        alarm,
        region,
        namespace: known(() => str(metric.namespace)),
        metricName: known(() => str(metric.metricName)),
        dimensions: dims(known(() => metric.dimensions)),
        threshold: undefined,
      });
    }
  }
  return out;
}

function fill(template: string, identity: string | undefined): string | undefined {
  if (!template.includes("{name}")) return template;
  return identity === undefined ? undefined : template.split("{name}").join(identity);
}

/**
 * Does `m` watch `resource` as `match` says? Namespace and metric name must be
 * equal; each required dimension must equal the resource's identity, or, when
 * its value is unknown at preview, the alarm's dimensions must come from the resource.
 */
export function watches(stack: StackIndex, m: WatchedMetric, match: MetricMatch, resource: PolicyResource, identity: string | undefined): boolean {
  if (m.region !== stack.regionOf(resource)) return false;
  if (m.metricName !== match.metricName) return false;
  const namespace = fill(match.namespace, identity);
  if (namespace === undefined || m.namespace !== namespace) return false;
  const fromResource = ["dimensions", "metricQueries"].some((k) => stack.dependenciesOf(m.alarm, k).some((d) => d.urn === resource.urn));
  for (const [key, template] of Object.entries(match.dimensions ?? {})) {
    if (!(key in m.dimensions)) return false;
    const want = fill(template, identity);
    const have = m.dimensions[key];
    if ((have !== undefined && have === want) || fromResource) continue;
    return false;
  }
  return true;
}
