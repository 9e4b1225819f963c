// End to end on the real program: every Pulumi.*.yaml stack, planned under the
// shared mocks, passes the pack over the Analyzer protocol; the dev plan broken
// the ways the story's region was broken fails with the right policy naming
// the right region; and the CLI's exit codes and outputs hold.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AnalyzerSession } from "../../../toolchain/check/analyzer-client";
import { DEFAULT_PACK_DIR, runCli } from "../../../toolchain/check/index";
import { mergeConfig, parsePackConfig, stackPackConfig, stackPackConfigDocument, type PackConfig } from "../../../toolchain/check/pack-config";
import { checkPlan, type CheckReport } from "../../../toolchain/check/run-check";
import { listStacks, planStack, REPO_ROOT, type PlanFile, type PlanResource } from "../../../toolchain/plan/plan-stack";

const run = promisify(execFile);

/** The stack's pack config, as CI writes it for --policy-pack-config (program settings, stack file, build manifest). */
function stackConfig(stack: string): PackConfig {
  return stackPackConfig(stack);
}

function mandatoryIn(report: CheckReport): string[] {
  return report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy} ${v.region}`);
}

function pick(plan: PlanFile, match: (r: PlanResource) => boolean, what: string): PlanResource {
  const found = plan.resources.find(match);
  if (!found) throw new Error(`the dev plan has no ${what}`);
  return found;
}

/** A copy with one resource changed; the change applies to its outputs too, which AnalyzeStack reads. */
function edit(plan: PlanFile, target: PlanResource, change: (r: PlanResource) => void): PlanFile {
  const copy = structuredClone(plan);
  const r = copy.resources.find((x) => x.urn === target.urn) as PlanResource;
  change(r);
  if (r.outputs) change({ ...r, props: r.outputs });
  return copy;
}

function drop(plan: PlanFile, target: PlanResource): PlanFile {
  return { ...plan, resources: plan.resources.filter((r) => r.urn !== target.urn) };
}

describe("npm run check on the real stacks", function () {
  this.timeout(300_000);
  let dev: PlanFile;
  let session: AnalyzerSession;

  before(async () => {
    dev = await planStack("dev");
    session = await AnalyzerSession.start({ packDir: DEFAULT_PACK_DIR, stack: "dev", project: dev.project });
  });
  after(async () => session?.close());

  it("every Pulumi.*.yaml stack passes with no violation at all", async () => {
    const stacks = listStacks(REPO_ROOT);
    assert.ok(stacks.includes("dev"), stacks.join(","));
    for (const stack of stacks) {
      const plan = stack === "dev" ? dev : await planStack(stack);
      const report = await checkPlan(session, plan, stackConfig(stack));
      assert.deepEqual(
        report.violations.map((v) => `${v.policy} ${v.region}: ${v.message.split("\n")[0]}`),
        [],
        `stack ${stack}`,
      );
    }
  });

  describe("the dev plan, broken the story's ways", () => {
    const regions = () => [...new Set(dev.resources.filter((r) => /:RegionalPipeline$/.test(r.type)).map((r) => r.name))].sort();

    it("spans more than one region", () => {
      assert.ok(regions().length >= 2, regions().join(","));
    });

    it("no subscription filter in one region: central-log-shipping names that region", async () => {
      const region = regions()[1];
      const filter = pick(dev, (r) => r.type === "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter" && r.region === region, "subscription filter");
      const got = mandatoryIn(await checkPlan(session, drop(dev, filter), stackConfig("dev")));
      assert.ok(got.includes(`central-log-shipping ${region}`), got.join("\n"));
      assert.ok(!got.some((g) => g.startsWith("central-log-shipping") && !g.endsWith(region)), got.join("\n"));
    });

    it("one alarm without actions: required-alarms names its region", async () => {
      const region = regions()[0];
      const alarm = pick(dev, (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.region === region, "alarm");
      const got = mandatoryIn(
        await checkPlan(
          session,
          edit(dev, alarm, (r) => (r.props.alarmActions = [])),
          stackConfig("dev"),
        ),
      );
      assert.deepEqual(got, [`required-alarms ${region}`]);
    });

    it("one region's function on another bundle: working-build names that region", async () => {
      const region = regions()[1];
      const fn = pick(dev, (r) => r.type === "aws:lambda/function:Function" && r.region === region, "function");
      const got = mandatoryIn(
        await checkPlan(
          session,
          edit(dev, fn, (r) => ((r.props.code as Record<string, string>).hash = "0".repeat(64))),
          stackConfig("dev"),
        ),
      );
      assert.deepEqual([...new Set(got)], [`working-build ${region}`]);
    });

    it("one component dropped from one region: region-parity names that region", async () => {
      const region = regions()[0];
      const versioning = pick(dev, (r) => r.type === "aws:s3/bucketVersioning:BucketVersioning" && r.region === region, "bucket versioning");
      const got = mandatoryIn(await checkPlan(session, drop(dev, versioning), stackConfig("dev")));
      assert.deepEqual(got, [`region-parity ${region}`]);
    });

    it("an expired waiver: valid-waivers names the region it was for", async () => {
      const region = regions()[1];
      const config = parsePackConfig(
        mergeConfig(stackPackConfigDocument("dev"), {
          "region-parity": { waivers: [{ resource: `${region}-*`, reason: "legacy bucket layout", expires: "2024-03-31", ticket: "OPS-42" }] },
        }),
        "test",
      );
      const report = await checkPlan(session, dev, config);
      assert.deepEqual(mandatoryIn(report), [`valid-waivers ${region}`]);
      assert.match(report.violations[0].message, /expired on 2024-03-31 \(OPS-42\)/);
      assert.deepEqual(
        report.waivers.map((w) => w.status),
        ["expired"],
      );
    });
  });

  describe("the CLI", () => {
    it("exits 1 on a mandatory violation, prints { violations, waivers } of both default packs and writes SARIF, a run per pack", async () => {
      const dir = mkdtempSync(join(tmpdir(), "check-cli-"));
      const alarm = pick(dev, (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm", "alarm");
      writeFileSync(join(dir, "plan.json"), JSON.stringify(edit(dev, alarm, (r) => (r.props.alarmActions = []))));
      const result = await run(
        process.execPath,
        ["--require", "tsx/cjs", "toolchain/check/index.ts", "--plan", join(dir, "plan.json"), "--json", "--sarif", join(dir, "out.sarif")],
        { cwd: REPO_ROOT },
      ).then(
        () => ({ code: 0, stdout: "" }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
      assert.equal(result.code, 1);
      interface JsonViolation {
        policyPack: string;
        policy: string;
        region: string;
        enforcementLevel: string;
      }
      const json = JSON.parse(result.stdout) as { packs: { name: string }[]; violations: JsonViolation[]; waivers: unknown[] };
      assert.deepEqual(
        json.packs.map((p) => p.name),
        ["snowflake-guard", "pulumi-awsguard"],
      );
      const ours = json.violations.filter((v) => v.policyPack === "snowflake-guard");
      assert.deepEqual(
        ours.map((v) => [v.policy, v.region, v.enforcementLevel]),
        [["required-alarms", alarm.region, "mandatory"]],
      );
      assert.deepEqual([...new Set(json.violations.filter((v) => v.policyPack === "pulumi-awsguard").map((v) => v.enforcementLevel))], ["advisory"]);
      assert.deepEqual(json.waivers, []);
      const sarif = JSON.parse(readFileSync(join(dir, "out.sarif"), "utf8")) as {
        version: string;
        runs: { tool: { driver: { name: string } }; results: { ruleId: string }[] }[];
      };
      assert.equal(sarif.version, "2.1.0");
      assert.deepEqual(
        sarif.runs.map((r) => r.tool.driver.name),
        ["snowflake-guard", "pulumi-awsguard"],
      );
      assert.deepEqual(
        sarif.runs[0].results.map((r) => r.ruleId),
        ["required-alarms"],
      );
    });

    it("`npm run check -- --stack dev` exits 0 and says so, AWSGuard's findings listed beside, advisory", async () => {
      const out: string[] = [];
      const code = await runCli(["--stack", "dev"], { out: (t) => void out.push(t), err: (t) => void out.push(t) });
      assert.equal(code, 0, out.join(""));
      const text = out.join("");
      assert.match(
        text,
        /^snowflake-guard 0\.1\.0: stack dev \(\d+ resources, \d+ policies\) in [\d.]+ s\n\npulumi-awsguard 0\.1\.0: stack dev \(\d+ resources, \d+ policies\)\n/,
      );
      assert.match(text, /\n\nPASSED: no mandatory violations \(\d+ advisory\)\.\n$/);
      assert.doesNotMatch(text, /\[mandatory\]/);
    });

    it("`--pack policies` checks with snowflake-guard alone", async () => {
      const out: string[] = [];
      const code = await runCli(["--stack", "dev", "--pack", DEFAULT_PACK_DIR], { out: (t) => void out.push(t), err: (t) => void out.push(t) });
      assert.equal(code, 0, out.join(""));
      assert.match(out.join(""), /^snowflake-guard 0\.1\.0: stack dev \(\d+ resources, \d+ policies\) in [\d.]+ s\n\nPASSED: no mandatory violations\.\n$/);
    });

    it("exits 2 with a clear message on bad usage or input", async () => {
      const err: string[] = [];
      const io = { out: () => undefined, err: (t: string) => void err.push(t) };
      assert.equal(await runCli([], io), 2);
      assert.match(err.join(""), /give --stack NAME, --plan FILE or --program DIR/);
      assert.equal(await runCli(["--plan", join(tmpdir(), "no-such-plan.json")], io), 2);
      assert.match(err.join(""), /cannot read plan file/);
      assert.equal(await runCli(["--stack", "no-such-stack"], io), 2);
      assert.match(err.join(""), /unknown stack "no-such-stack"/);
    });
  });
});
