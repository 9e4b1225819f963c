// Existing stacks keep every resource across the split of RegionalPipeline
// into nested components: each URN of the dev and prod plans from before the
// split (fixtures/urns-before-nested-components.json) is either still there
// or taken over, through an alias, by exactly one resource of today's plan,
// and nothing but the new components is added. The alias rules are the
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

      it("adds nothing but the nested components, and every moved resource keeps its type and name", () => {
        const { oldUrnOf } = matchResources(old, plan);
        const added = plan.resources.filter((r) => !oldUrnOf.has(r.urn));
        assert.ok(added.every(isComponent), `added cloud resources: ${added.filter((r) => !isComponent(r)).map((r) => r.urn).join(", ")}`);
        const regions = plan.resources.filter((r) => r.type === PIPELINE_TYPE).length;
        assert.equal(added.length, regions * NEW_COMPONENTS_PER_REGION);
        for (const r of plan.resources) {
          const was = oldUrnOf.get(r.urn);
          if (was === undefined || was === r.urn) continue;
          // Independently of the alias rules: the old URN is the one the resource had as a direct child of its region's pipeline.
          assert.equal(was, `urn:pulumi:${stack}::${PROJECT}::${PIPELINE_TYPE}$${r.type}::${r.name}`, r.urn);
        }
      });

      it("shows no addition or removal in the plan diff, and names each kept resource", () => {
        const before: PlanFile = { stack, project: PROJECT, resources: old.map((urn) => ({ urn, type: "", name: "", parent: null, provider: null, region: "", props: {}, dependencies: [], propertyDependencies: {} })) };
        // The fixture keeps URNs only: regions and props come from today's plan, so only additions, removals and aliases can show.
        const diffs = diffPlans(before, plan);
        assert.deepEqual(diffs.flatMap((d) => d.added.map((r) => r.urn)), []);
        assert.deepEqual(diffs.flatMap((d) => d.removed.map((r) => r.urn)), []);
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
