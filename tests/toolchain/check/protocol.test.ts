// The gRPC driver end to end: the real pack process, served by its own
// @pulumi/policy server, driven over the Analyzer protocol with the contract
// fixture. Checks what travels on the wire: per-resource Analyze, AnalyzeStack,
// Configure with waivers, the engine's unknown sentinel and secrets.
import { strict as assert } from "node:assert";
import { POLICIES } from "../../../policies/catalog";
import { AnalyzerSession } from "../../../toolchain/check/analyzer-client";
import { DEFAULT_PACK_DIR } from "../../../toolchain/check/index";
import { mergeConfig, PackConfigError, parsePackConfig } from "../../../toolchain/check/pack-config";
import { formatText, toJson, toSarif } from "../../../toolchain/check/report";
import { checkPlan, hasMandatory, type CheckReport } from "../../../toolchain/check/run-check";
import { FIXTURE_CONFIG, goodPlan, UNKNOWN, withProps, withResource, without } from "../../policies/fixture";

const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

describe("npm run check: the pack over the Analyzer protocol", function () {
  this.timeout(120_000);
  let session: AnalyzerSession;
  const plan = goodPlan();

  before(async () => {
    session = await AnalyzerSession.start({ packDir: DEFAULT_PACK_DIR, stack: plan.stack, project: plan.project });
  });
  after(async () => session?.close());

  const check = (p = plan, config = {}) => checkPlan(session, p, parsePackConfig(mergeConfig(FIXTURE_CONFIG, config), "test config"));
  const mandatory = (r: CheckReport) => r.violations.filter((v) => v.enforcementLevel === "mandatory");

  it("GetAnalyzerInfo describes every policy with its level, severity, remediation and docs url", async () => {
    const info = await session.getAnalyzerInfo();
    assert.equal(info.getName(), "snowflake-guard");
    const served = info.getPoliciesList().map((p) => p.getName());
    assert.deepEqual(
      served,
      POLICIES.map((p) => p.name),
    );
    for (const p of info.getPoliciesList()) {
      assert.ok(p.getSeverity() > 0 && p.getRemediationSteps() && p.getUrl().endsWith(`#${p.getName()}`), p.getName());
    }
  });

  it("passes the contract plan", async () => {
    const report = await check();
    assert.deepEqual(report.violations, []);
    assert.equal(hasMandatory(report), false);
  });

  it("reports a resource-level policy from Analyze and stack policies from AnalyzeStack, by region", async () => {
    const broken = withProps(without(plan, "eu-central-1-canary-log-shipping"), "us-east-1-thumbnails", (p) => (p.runtime = "nodejs16.x"));
    const report = await check(broken);
    const got = mandatory(report).map((v) => `${v.region} ${v.policy}`);
    assert.ok(got.includes("us-east-1 supported-runtime"), got.join("\n"));
    assert.ok(got.includes("eu-central-1 central-log-shipping"), got.join("\n"));
    // The runtime change also breaks parity; with two regions it is a tie, and the finding names both.
    assert.ok(
      mandatory(report).some((v) => v.policy === "region-parity" && /us-east-1.*runtime "nodejs16\.x" in us-east-1/.test(v.message)),
      got.join("\n"),
    );
  });

  it("turns the engine's unknown sentinel into a violation of the policy that needed the value", async () => {
    const report = await check(withProps(plan, "eu-central-1-thumbnails", (p) => (p.handler = UNKNOWN)));
    const v = mandatory(report).find((x) => x.policy === "working-build");
    assert.ok(v, JSON.stringify(report.violations, null, 1));
    assert.equal(v.region, "eu-central-1");
    assert.match(v.message, /^eu-central-1: .*props\.handler is unknown at preview time/);
  });

  it("unwraps secrets as the runtime does", async () => {
    const report = await check(withProps(plan, "us-east-1-canary", (p) => (p.memorySize = { ...SECRET, value: 4096 })));
    assert.ok(
      mandatory(report).some((v) => v.policy === "memory-cap" && /4096 MB/.test(v.message)),
      JSON.stringify(report.violations),
    );
  });

  it("applies waivers sent with Configure, lists them, and reports expired ones", async () => {
    // Ships to a security group instead of the archive: only central-log-shipping minds.
    const sg = plan.resources.find((r) => r.name === "eu-central-1-function-sg")?.urn as string;
    const broken = withResource(plan, "eu-central-1-canary-log-shipping", (r) => (r.propertyDependencies.destinationArn = [sg]));
    const waiver = { resource: "eu-central-1-canary-log-shipping", reason: "archive cut-over", expires: "2999-12-31", ticket: "OPS-7" };
    const waived = await check(broken, { "central-log-shipping": { waivers: [waiver] } });
    assert.deepEqual(mandatory(waived), []);
    assert.equal(waived.waived.length, 1);
    assert.deepEqual(
      waived.waivers.map((w) => [w.policy, w.resource, w.status, w.suppressed]),
      [["central-log-shipping", "eu-central-1-canary-log-shipping", "active", 1]],
    );
    const expired = await check(broken, { "central-log-shipping": { waivers: [{ ...waiver, expires: "2021-06-30" }] } });
    assert.deepEqual(
      mandatory(expired)
        .map((v) => v.policy)
        .sort(),
      ["central-log-shipping", "valid-waivers"],
    );
    assert.deepEqual(
      expired.waivers.map((w) => w.status),
      ["expired"],
    );
  });

  it("refuses config for a policy the pack does not have", async () => {
    await assert.rejects(check(plan, { "central-logging": "advisory" }), (e: unknown) => e instanceof PackConfigError && /central-logging/.test(e.message));
  });

  it("lets the config lower a policy to advisory, as the CLI's --policy-pack-config does", async () => {
    const report = await check(
      withProps(plan, "us-east-1-canary-alarm", (p) => (p.alarmActions = [])),
      { "required-alarms": "advisory" },
    );
    assert.deepEqual(
      report.violations.map((v) => [v.policy, v.enforcementLevel]),
      [["required-alarms", "advisory"]],
    );
    assert.equal(hasMandatory(report), false);
  });

  it("reports as text by region, JSON and SARIF 2.1.0", async () => {
    const report = await check(without(plan, "eu-central-1-canary-log-shipping"), {
      // The missing filter is reported on the resource it would hang off in eu-central-1 (its log destination).
      "region-parity": { waivers: [{ resource: "eu-central-1-*", reason: "test", expires: "2999-01-01" }] },
    });
    const text = formatText(report);
    assert.match(text, /\n\neu-central-1\n {2}x \[mandatory\] central-log-shipping {2}eu-central-1-canary-logs\n/);
    assert.match(text, /FAILED: 1 mandatory and 0 advisory violations/);
    assert.match(text, /Waivers \(1\):\n {2}active {2}region-parity on eu-central-1-\* until 2999-01-01: test - suppressed 1 finding/);
    const json = toJson(report) as { violations: Record<string, unknown>[]; waivers: unknown[] };
    assert.deepEqual(Object.keys(json.violations[0]).slice(0, 5), ["policy", "enforcementLevel", "urn", "region", "message"]);
    assert.equal(json.waivers.length, 1);
    const sarif = toSarif(report, "Pulumi.test.yaml") as {
      version: string;
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; suppressions?: unknown[] }[] }[];
    };
    assert.equal(sarif.version, "2.1.0");
    assert.ok(sarif.runs[0].tool.driver.rules.some((r) => r.id === "valid-waivers"));
    assert.deepEqual(
      sarif.runs[0].results.map((r) => [r.ruleId, r.level, r.suppressions ? "suppressed" : "open"]),
      [
        ["central-log-shipping", "error", "open"],
        ["region-parity", "note", "suppressed"],
      ],
    );
  });
});
