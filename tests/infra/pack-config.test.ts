// The pack stays self-contained: what it knows of this program arrives as pack
// config (infra/policy-config/program.ts). That config must say what the
// contracts define and what the program builds from them.
import assert from "node:assert/strict";
import {
  API_ALARM_KINDS,
  API_ALARM_METRICS,
  CANARY_ALARM_METRIC,
  CONNECTIONS_ALARM_METRIC,
  FUNCTION_ALARM_KINDS,
  FUNCTION_ALARM_METRICS,
  FUNCTION_ENVIRONMENTS,
  MAX_CONNECTIONS_SHARE,
  TAGS,
  type AlarmMetric,
} from "../../contracts";
import { programPackConfig } from "../../infra/policy-config/program";
import { connectionBudgetSpec } from "../../policies/database";
import type { PlanFile, PlanResource } from "../../toolchain/plan/plan-stack";
import { ofType, prop, stackPlan } from "./support/plans";

interface Requirement {
  metrics: AlarmMetric[];
  thresholdBelowTimeout?: boolean;
}
interface Config {
  "required-alarms": { classes: Record<string, { alarms: Record<string, Requirement> }>; regionAlarms: Record<string, Requirement> };
  "least-privilege-role": { requiredGrants: { function: { tags: Record<string, string> }; action: string; resource: string }[] };
  "memory-cap": { capFromEnvironment: string };
}

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const FUNCTION = "aws:lambda/function:Function";
const HTTP_API = "aws:apigatewayv2/api:Api";

/** The metrics an alarm watches: its own, or those of its metric queries. */
function watchedBy(alarm: PlanResource): { namespace?: string; metricName?: string; dimensions?: Record<string, string> }[] {
  const queries = (alarm.props.metricQueries ?? []) as { metric?: { namespace?: string; metricName?: string; dimensions?: Record<string, string> } }[];
  const own = {
    namespace: alarm.props.namespace as string | undefined,
    metricName: alarm.props.metricName as string | undefined,
    dimensions: alarm.props.dimensions as Record<string, string> | undefined,
  };
  return [own, ...queries.flatMap((q) => (q.metric ? [q.metric] : []))];
}

function matches(m: AlarmMetric, identity: string, w: { namespace?: string; metricName?: string; dimensions?: Record<string, string> }): boolean {
  const fill = (v: string) => v.split("{name}").join(identity);
  return (
    w.namespace === fill(m.namespace) && w.metricName === m.metricName && Object.entries(m.dimensions ?? {}).every(([k, v]) => w.dimensions?.[k] === fill(v))
  );
}

describe("the pack config this program gives, against the contracts", () => {
  const config = programPackConfig() as unknown as Config;
  let plan: PlanFile;

  before(async function () {
    this.timeout(600_000);
    plan = await stackPlan("dev");
  });

  it("requires of every function exactly the alarm kinds the contracts define, on their metrics", () => {
    const lambda = config["required-alarms"].classes.lambda.alarms;
    assert.deepEqual(Object.keys(lambda), [...FUNCTION_ALARM_KINDS]);
    for (const kind of FUNCTION_ALARM_KINDS) assert.deepEqual(lambda[kind].metrics, [FUNCTION_ALARM_METRICS[kind]], kind);
    assert.equal(lambda.duration.thresholdBelowTimeout, true, "the duration alarm must fire before the timeout");
    assert.deepEqual(config["required-alarms"].classes["rds-instance"].alarms.connections.metrics, [CONNECTIONS_ALARM_METRIC]);
    assert.deepEqual(config["required-alarms"].regionAlarms.canary.metrics, [
      { namespace: CANARY_ALARM_METRIC.namespace, metricName: CANARY_ALARM_METRIC.metricName },
    ]);
  });

  it("asks only for alarms the program builds: every function has one on each required metric", () => {
    const alarms = ofType(plan, ALARM);
    for (const fn of ofType(plan, FUNCTION)) {
      const name = prop<string>(fn, "name");
      for (const kind of FUNCTION_ALARM_KINDS) {
        const metric = FUNCTION_ALARM_METRICS[kind];
        assert.ok(
          alarms.some((a) => a.region === fn.region && watchedBy(a).some((w) => matches(metric, name, w))),
          `${name} has no alarm on ${metric.namespace} ${metric.metricName}`,
        );
      }
    }
  });

  it("requires of every HTTP API the alarm kinds the contracts define, and every API has them", () => {
    const httpApi = config["required-alarms"].classes["http-api"].alarms;
    assert.deepEqual(Object.keys(httpApi), [...API_ALARM_KINDS]);
    for (const kind of API_ALARM_KINDS) assert.deepEqual(httpApi[kind].metrics, [API_ALARM_METRICS[kind]], kind);
    const apis = ofType(plan, HTTP_API);
    assert.ok(apis.length > 0, "the dev stack has an HTTP API");
    const alarms = ofType(plan, ALARM);
    for (const api of apis) {
      // An ApiId exists only once created, so an alarm is the API's when its dimensions or metric queries reference it (as the pack matches).
      const ofApi = alarms.filter((a) => ["dimensions", "metricQueries"].some((key) => a.propertyDependencies[key]?.includes(api.urn)));
      for (const kind of API_ALARM_KINDS) {
        const metric = API_ALARM_METRICS[kind];
        assert.ok(
          ofApi.some((a) =>
            watchedBy(a).some(
              (w) =>
                w.namespace === metric.namespace &&
                w.metricName === metric.metricName &&
                Object.keys(metric.dimensions ?? {}).every((k) => w.dimensions?.[k] !== undefined),
            ),
          ),
          `${api.name} has no alarm on ${metric.namespace} ${metric.metricName}`,
        );
      }
    }
  });

  it("names the environment variables the program writes: the memory cap and the buckets of the required grants", () => {
    const byFunction = (fn: string) => ofType(plan, FUNCTION).filter((f) => prop<string>(f, `tags.${TAGS.function}`) === fn);
    const cap = config["memory-cap"].capFromEnvironment;
    assert.equal(cap, FUNCTION_ENVIRONMENTS["oom-remediator"].capMb.name);
    for (const f of byFunction("oom-remediator")) assert.equal(prop<string>(f, `environment.variables.${cap}`), "1024");
    const grants = config["least-privilege-role"].requiredGrants;
    assert.ok(grants.length >= 3);
    for (const grant of grants) {
      const fn = grant.function.tags[TAGS.function];
      const variables = [...grant.resource.matchAll(/\{env\.([A-Z0-9_]+)\}/g)].map((m) => m[1]);
      assert.ok(variables.length > 0, grant.resource);
      for (const f of byFunction(fn))
        for (const v of variables)
          assert.ok(prop<string>(f, `environment.variables.${v}`), `${f.name} has no ${v} for the grant ${grant.action} ${grant.resource}`);
    }
  });

  it("gives db-connection-budget the connection share this program budgets, within the pack's schema", () => {
    // One 0.8 for this program: contracts' share reaches the pack as its config, and the budget is derived from it.
    assert.deepEqual(programPackConfig()["db-connection-budget"], { maxShare: MAX_CONNECTIONS_SHARE });
    const schema = connectionBudgetSpec.config?.maxShare as { exclusiveMinimum: number; maximum: number };
    assert.ok(MAX_CONNECTIONS_SHARE > schema.exclusiveMinimum && MAX_CONNECTIONS_SHARE <= schema.maximum);
  });
});
