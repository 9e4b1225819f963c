// `pulumi policy publish` uploads the policies folder alone. A copy of that
// folder, by itself in an empty directory, must install from its own
// lockfile, start the way the CLI starts it (run-policy-pack with ts-node
// type-checking, which fails on any import from outside the folder) and judge
// the dev and prod stacks exactly as the pack in this repository does.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { AnalyzerSession, packCommand } from "../../toolchain/check/analyzer-client";
import { DEFAULT_PACK_DIR } from "../../toolchain/check/index";
import { stackPackConfig } from "../../toolchain/check/pack-config";
import { checkPlan, type CheckReport } from "../../toolchain/check/run-check";
import { planStack, type PlanFile } from "../../toolchain/plan/plan-stack";

const run = promisify(execFile);

/** What decides a deployment: each finding's policy, level, resource and message. */
function verdicts(report: CheckReport): string[] {
  return [...report.violations, ...report.waived].map((v) => `${v.enforcementLevel} ${v.policy} ${v.urn ?? "(stack)"} ${v.message}`).sort();
}

describe("the policy pack published from its own folder", function () {
  this.timeout(600_000);
  let root: string;
  let copy: string;
  const sessions: AnalyzerSession[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "published-pack-"));
    copy = join(root, "snowflake-guard");
    cpSync(DEFAULT_PACK_DIR, copy, { recursive: true, filter: (src) => !relative(DEFAULT_PACK_DIR, src).split(/[\\/]/).includes("node_modules") });
    assert.equal(existsSync(join(copy, "node_modules")), false, "the copy starts without dependencies");
    // The npm cache the root's install filled makes this fast; the registry answers anything it lacks.
    await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: copy, env: { ...process.env, npm_config_loglevel: "error" } });
  });

  after(async () => {
    for (const s of sessions) await s.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("installs its own dependencies and runs the CLI's run-policy-pack from them", () => {
    const [script] = packCommand("pulumi-cli", copy);
    assert.ok(script.startsWith(join(copy, "node_modules")), script);
    for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "typescript", "@types/node"])
      assert.ok(existsSync(join(copy, "node_modules", dep, "package.json")), dep);
  });

  it("gives the dev and prod stacks the in-tree pack's verdicts, passing and failing alike", async () => {
    const published = await AnalyzerSession.start({ packDir: copy, stack: "dev", project: "thumbnail-pipeline", loader: "pulumi-cli" });
    sessions.push(published);
    const inTree = await AnalyzerSession.start({ packDir: DEFAULT_PACK_DIR, stack: "dev", project: "thumbnail-pipeline", loader: "pulumi-cli" });
    sessions.push(inTree);
    for (const stack of ["dev", "prod"]) {
      const plan = await planStack(stack);
      const config = stackPackConfig(stack);
      // Also a plan the pack refuses, so equal verdicts are not merely two empty lists.
      const filter = plan.resources.find((r) => r.type === "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter") as PlanFile["resources"][number];
      const broken: PlanFile = { ...plan, resources: plan.resources.filter((r) => r.urn !== filter.urn) };
      for (const p of [plan, broken]) {
        const mine = await checkPlan(published, p, config);
        const theirs = await checkPlan(inTree, p, config);
        assert.deepEqual(verdicts(mine), verdicts(theirs), `stack ${stack}`);
        assert.equal(mine.policies.length, theirs.policies.length);
      }
      assert.deepEqual(verdicts(await checkPlan(published, plan, config)), [], `stack ${stack} passes the published pack`);
      assert.ok(
        verdicts(await checkPlan(published, broken, config)).some((v) => v.startsWith("mandatory central-log-shipping")),
        `stack ${stack}: the published pack refuses a region without log shipping`,
      );
    }
  });
});
