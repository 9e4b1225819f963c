// Existing stacks keep every resource across the split of RegionalPipeline
// into nested components: each URN of the dev and prod plans from before the
// split (fixtures/urns-before-nested-components.json) is either still there
// or taken over, through an alias, by exactly one resource of today's plan,
// and nothing is added but the new components and, in each region, exactly
// the resources of the HTTP API and its two functions (api,
// result-publisher), which the fixture's stacks never had. The alias rules are the
// engine's (toolchain/plan/diff.ts matchResources; tests/toolchain/plan/aliases.test.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { diffPlans, matchResources } from "../../toolchain/plan/diff";
import type { PlanFile, PlanResource } from "../../toolchain/plan/plan-stack";
import { PIPELINE_TYPE, stackPlan } from "./support/plans";

interface Before {
  stacks: Record<"dev" | "prod", string[]>;
}

const BEFORE = JSON.parse(readFileSync(join(__dirname, "fixtures", "urns-before-nested-components.json"), "utf8")) as Before;
const PROJECT = "thumbnail-pipeline";

/** Components the split introduced, per region: nine parts and one per function. */
const NEW_COMPONENTS_PER_REGION = 9 + 7;
/** Components the API brought, per region: the RegionalApi and one per new function. */
const API_COMPONENTS_PER_REGION = 1 + 2;

/** What a function brings wherever the others have it (Function, Functions' and Observability's parts), by role. */
function functionResources(fn: string): [string, string][] {
  return [
    [fn, "aws:lambda/function:Function"],
    [`${fn}-logs`, "aws:cloudwatch/logGroup:LogGroup"],
    [`${fn}-log-shipping`, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"],
    [`${fn}-role`, "aws:iam/role:Role"],
    [`${fn}-policy`, "aws:iam/rolePolicy:RolePolicy"],
    [`${fn}-max-memory-metric`, "aws:cloudwatch/logMetricFilter:LogMetricFilter"],
    [`${fn}-memory-size-metric`, "aws:cloudwatch/logMetricFilter:LogMetricFilter"],
    [`${fn}-oom-metric`, "aws:cloudwatch/logMetricFilter:LogMetricFilter"],
    ...["errors", "throttles", "duration", "memory", "oom"].map((kind): [string, string] => [`${fn}-${kind}-alarm`, "aws:cloudwatch/metricAlarm:MetricAlarm"]),
  ];
}

/**
 * The cloud resources the API added to every region, by role (`<region>-<role>`):
 * none of them existed before, so none may take an old URN, and nothing else may be new.
 */
const API_RESOURCES_PER_REGION: [string, string][] = [
  ...functionResources("api"),
  ...functionResources("result-publisher"),
  ["result-publisher-async-config", "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"],
  ["result-publisher-schedule", "aws:cloudwatch/eventRule:EventRule"],
  ["result-publisher-schedule-permission", "aws:lambda/permission:Permission"],
  ["result-publisher-schedule-target", "aws:cloudwatch/eventTarget:EventTarget"],
  // PutEvents from inside the VPC.
  ["events-endpoint", "aws:ec2/vpcEndpoint:VpcEndpoint"],
  ["api", "aws:apigatewayv2/api:Api"],
  ["api-access-logs", "aws:cloudwatch/logGroup:LogGroup"],
  ["api-access-log-shipping", "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"],
  ["api-integration", "aws:apigatewayv2/integration:Integration"],
  ["api-route-post-uploads", "aws:apigatewayv2/route:Route"],
  ["api-route-get-images-imageid", "aws:apigatewayv2/route:Route"],
  ["api-stage", "aws:apigatewayv2/stage:Stage"],
  ["api-invoke-permission", "aws:lambda/permission:Permission"],
  ["api-5xx-alarm", "aws:cloudwatch/metricAlarm:MetricAlarm"],
  ["api-latency-alarm", "aws:cloudwatch/metricAlarm:MetricAlarm"],
  ["api-4xx-alarm", "aws:cloudwatch/metricAlarm:MetricAlarm"],
];

/** `type::name` of every cloud resource the API should have added to these regions. */
function expectedApiAdditions(regions: string[]): string[] {
  return regions.flatMap((region) => API_RESOURCES_PER_REGION.map(([role, type]) => `${type}::${region}-${role}`)).sort();
}

function isComponent(r: PlanResource): boolean {
  return r.provider === null && !r.type.startsWith("pulumi:");
}

describe("URN continuity across the nested RegionalPipeline", function () {
  for (const stack of ["dev", "prod"] as const) {
    describe(`stack ${stack}`, () => {
      let plan: PlanFile;
      const old = BEFORE.stacks[stack];

      before(async function () {
        this.timeout(600_000);
        plan = await stackPlan(stack);
      });

      it("keeps every old URN, itself or through an alias of exactly one resource", () => {
        assert.ok(old.length > 400, `the fixture holds ${old.length} URNs`);
        const { oldUrnOf, aliasedBy } = matchResources(old, plan);
        const claims = new Map<string, string[]>();
        for (const [now, was] of oldUrnOf) claims.set(was, [...(claims.get(was) ?? []), now]);
        for (const urn of old) assert.deepEqual(claims.get(urn)?.length, 1, `${urn} is ${claims.has(urn) ? "claimed twice" : "gone: it would be deleted"}`);
        assert.ok(aliasedBy.size > 300, `only ${aliasedBy.size} resources moved under a nested component`);
      });

      it("adds nothing but the nested components and the API's resources, and every moved resource keeps its type and name", () => {
        const { oldUrnOf } = matchResources(old, plan);
        const added = plan.resources.filter((r) => !oldUrnOf.has(r.urn));
        const regions = plan.resources.filter((r) => r.type === PIPELINE_TYPE).map((r) => r.name);
        assert.deepEqual(
          added
            .filter((r) => !isComponent(r))
            .map((r) => `${r.type}::${r.name}`)
            .sort(),
          expectedApiAdditions(regions),
          "added cloud resources",
        );
        assert.equal(added.filter(isComponent).length, regions.length * (NEW_COMPONENTS_PER_REGION + API_COMPONENTS_PER_REGION));
        for (const r of plan.resources) {
          const was = oldUrnOf.get(r.urn);
          if (was === undefined || was === r.urn) continue;
          // Independently of the alias rules: the old URN is the one the resource had as a direct child of its region's pipeline.
          assert.equal(was, `urn:pulumi:${stack}::${PROJECT}::${PIPELINE_TYPE}$${r.type}::${r.name}`, r.urn);
        }
      });

      it("shows no removal and no addition but the API's in the plan diff, and names each kept resource", () => {
        const before: PlanFile = {
          stack,
          project: PROJECT,
          resources: old.map((urn) => ({
            urn,
            type: "",
            name: "",
            parent: null,
            provider: null,
            region: "",
            props: {},
            dependencies: [],
            propertyDependencies: {},
          })),
        };
        // The fixture keeps URNs only: regions and props come from today's plan, so only additions, removals and aliases can show.
        const diffs = diffPlans(before, plan);
        const regions = plan.resources.filter((r) => r.type === PIPELINE_TYPE).map((r) => r.name);
        assert.deepEqual(diffs.flatMap((d) => d.added.map((r) => `${r.type}::${r.name}`)).sort(), expectedApiAdditions(regions));
        assert.deepEqual(
          diffs.flatMap((d) => d.removed.map((r) => r.urn)),
          [],
        );
        assert.ok(diffs.flatMap((d) => d.aliased).length > 300);
      });

      it("names resources two components deep with the whole type chain, as the engine does", () => {
        const group = plan.resources.find((r) => r.name === "eu-central-1-thumbnails-logs") as PlanResource;
        assert.equal(
          group.urn,
          `urn:pulumi:${stack}::${PROJECT}::${PIPELINE_TYPE}$thumbnail-pipeline:pipeline:Functions$thumbnail-pipeline:pipeline:Function$aws:cloudwatch/logGroup:LogGroup::eu-central-1-thumbnails-logs`,
        );
        assert.deepEqual(group.aliases?.[0], { parent: `urn:pulumi:${stack}::${PROJECT}::${PIPELINE_TYPE}::eu-central-1` });
      });
    });
  }
});
