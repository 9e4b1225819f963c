// `npm run plan`: the summary, the plan file and the per-region diff.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { FUNCTION_NAMES } from "../../../infra/config";
import { diffPlans, formatDiff } from "../../../toolchain/plan/diff";
import { REPO_ROOT, type PlanFile } from "../../../toolchain/plan/plan-stack";
import { formatSummary, summarizePlan } from "../../../toolchain/plan/summary";
import { planWith, stackPlan } from "../../infra/support/plans";

const run = promisify(execFile);
const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");

describe("npm run plan", function () {
  this.timeout(600_000);
  let dev: PlanFile;
  let dir: string;

  before(async () => {
    dev = await stackPlan("dev");
    dir = mkdtempSync(join(tmpdir(), "plan-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("summarizes resources by region and component with counts per type", () => {
    const regions = summarizePlan(dev);
    const pipelineCounts = regions
      .filter((r) => r.region === "us-east-1" || r.region === "eu-central-1")
      .map((r) => r.components.find((c) => c.component === `RegionalPipeline ${r.region}`));
    assert.equal(pipelineCounts.length, 2);
    assert.deepEqual(pipelineCounts[0]?.types, pipelineCounts[1]?.types, "both regions have the same types in the same numbers");
    const text = formatSummary(dev);
    assert.match(text, /^Plan for stack dev \(project thumbnail-pipeline\): \d+ resources/);
    assert.match(text, /\n {2}RegionalPipeline eu-central-1: \d+\n/);
    assert.match(text, new RegExp(`\\n {6}${FUNCTION_NAMES.length} {2}aws:lambda/function:Function\\n`));
  });

  it("diffs two plans per region: added, removed and changed props", async () => {
    const floor = "/thumbnail-pipeline/dev/eu-central-1/memory-floor/thumbpipe-dev-eu-central-1-thumbnails";
    // Planned back to back so both see the same build of this (possibly changing) checkout.
    const base = await planWith("dev", {});
    const head = await planWith("dev", {
      ssmParameters: { [floor]: 640 },
      config: { regions: [{ name: "us-east-1" }, { name: "eu-central-1", residency: "legal", logArchiveRegion: "eu-west-1" }, { name: "ap-southeast-2" }] },
    });
    const diffs = diffPlans(base, head);
    const byRegion = new Map(diffs.map((d) => [d.region, d]));
    const ap = byRegion.get("ap-southeast-2");
    assert.ok(ap && ap.added.length > 100 && ap.removed.length === 0);
    const eu = byRegion.get("eu-central-1");
    assert.ok(eu);
    assert.deepEqual(eu.added, []);
    const fn = eu.changed.find((c) => c.resource.name === "eu-central-1-thumbnails");
    assert.deepEqual(fn?.changes, [{ path: "memorySize", before: 512, after: 640 }]);
    assert.equal(
      byRegion.get("us-east-1")?.changed.some((c) => c.resource.type === "aws:lambda/function:Function"),
      false,
      "us-east-1 functions are untouched",
    );
    const text = formatDiff(diffs);
    assert.match(text, /^ap-southeast-2: \+\d+ added, -0 removed, ~0 changed$/m);
    assert.match(text, /^ {2}~ aws:lambda\/function:Function eu-central-1-thumbnails\n {6}memorySize: 512 -> 640$/m);
    assert.equal(formatDiff(diffPlans(dev, dev)), "No differences.\n");
  });

  it("writes the plan file and prints the diff against another one from the command line", async () => {
    // Both sides pin the commit tag: the checkout's HEAD may move between the two plans.
    const pinned = { ...process.env, PIPELINE_COMMIT: "0000000000000000000000000000000000000000" };
    const previous = process.env.PIPELINE_COMMIT;
    process.env.PIPELINE_COMMIT = pinned.PIPELINE_COMMIT;
    const planned = await planWith("dev", {}).finally(() => {
      if (previous === undefined) delete process.env.PIPELINE_COMMIT;
      else process.env.PIPELINE_COMMIT = previous;
    });
    const base: PlanFile = JSON.parse(JSON.stringify(planned)) as PlanFile;
    const queue = base.resources.find((r) => r.name === "us-east-1-raw-events");
    assert.ok(queue);
    queue.props.visibilityTimeoutSeconds = 30;
    base.resources = base.resources.filter((r) => r.name !== "eu-central-1-canary-alarm");
    writeFileSync(join(dir, "base.json"), JSON.stringify(base));

    const { stdout } = await run(TSX, ["toolchain/plan/index.ts", "--stack", "dev", "--out", join(dir, "plan.json"), "--diff", join(dir, "base.json")], {
      cwd: REPO_ROOT,
      env: pinned,
    });
    assert.equal(
      stdout,
      [
        `Diff ${join(dir, "base.json")} -> stack dev:`,
        "eu-central-1: +1 added, -0 removed, ~0 changed",
        "  + aws:cloudwatch/metricAlarm:MetricAlarm eu-central-1-canary-alarm",
        "us-east-1: +0 added, -0 removed, ~1 changed",
        "  ~ aws:sqs/queue:Queue us-east-1-raw-events",
        "      visibilityTimeoutSeconds: 30 -> 360",
        "",
      ].join("\n"),
    );
    const written = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as PlanFile;
    assert.equal(written.resources.length, dev.resources.length);
  });

  it("fails with a clear message for an unknown stack", async () => {
    await assert.rejects(run(TSX, ["toolchain/plan/index.ts", "--stack", "nope"], { cwd: REPO_ROOT }), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.equal(err.stderr, 'plan failed: unknown stack "nope": no Pulumi.nope.yaml in the project. Stacks here: dev, prod\n');
      return true;
    });
  });
});
