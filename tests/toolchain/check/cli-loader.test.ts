// The pack as the Pulumi CLI loads it: `pulumi preview --policy-pack policies`
// runs node on @pulumi/pulumi/cmd/run-policy-pack (resolved from the pack)
// with the engine address and the pack folder, cwd = the pack. That script
// registers ts-node with type-checking on, using the pack's tsconfig.json.
// These tests start the pack that way and talk to it over gRPC.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { analyzer } from "../../../toolchain/pulumi-internals";
import { AnalyzerSession, AnalyzerStartError, packCommand } from "../../../toolchain/check/analyzer-client";
import { analyzeRequest, indexProviders, stackResource } from "../../../toolchain/check/encode";
import { DEFAULT_PACK_DIR } from "../../../toolchain/check/index";
import { parsePackConfig } from "../../../toolchain/check/pack-config";
import { packInfo, reconcilePolicyConfig } from "../../../toolchain/check/reconcile";
import { policyConfig } from "../../../toolchain/check/run-check";
import { FIXTURE_CONFIG, goodPlan, withProps, without } from "../../policies/fixture";

const MANDATORY = ["central-log-shipping", "required-alarms", "working-build", "region-parity"];
const REPO_ROOT = resolve(__dirname, "..", "..", "..");

const diagnostics = (res: analyzer.AnalyzeResponse) => res.getDiagnosticsList().map((d) => `${d.getPolicyname()} ${d.getEnforcementlevel()} ${d.getMessage()}`);

describe("the policy pack under the Pulumi CLI's loader (run-policy-pack + ts-node)", function () {
  this.timeout(120_000);
  const plan = goodPlan(["us-east-1"]);
  let session: AnalyzerSession;

  before(async () => {
    session = await AnalyzerSession.start({ packDir: DEFAULT_PACK_DIR, stack: plan.stack, project: plan.project, loader: "pulumi-cli" });
    // The fixture's pack config (its build manifest, its public bucket), sent as the CLI sends --policy-pack-config.
    await session.configure(policyConfig(reconcilePolicyConfig(packInfo(await session.getAnalyzerInfo()), parsePackConfig(FIXTURE_CONFIG, "fixture config"))));
  });
  after(async () => session?.close());

  it("runs @pulumi/pulumi/cmd/run-policy-pack resolved from the pack, with the engine address then the pack folder", () => {
    const [script, engine, pack] = packCommand("pulumi-cli", DEFAULT_PACK_DIR);
    assert.equal(script, join(DEFAULT_PACK_DIR, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js"));
    assert.match(engine, /^127\.0\.0\.1:\d+$/);
    assert.equal(pack, DEFAULT_PACK_DIR);
  });

  it("serves GetAnalyzerInfo with the mandatory policies", async () => {
    const info = await session.getAnalyzerInfo();
    assert.equal(info.getName(), "snowflake-guard");
    const levels = new Map(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]));
    for (const name of MANDATORY) assert.equal(levels.get(name), analyzer.EnforcementLevel.MANDATORY, name);
  });

  it("answers Analyze for one resource with its violation", async () => {
    const broken = withProps(plan, "us-east-1-thumbnails", (p) => (p.runtime = "nodejs16.x"));
    const fn = broken.resources.find((r) => r.name === "us-east-1-thumbnails");
    assert.ok(fn);
    const got = diagnostics(await session.analyze(analyzeRequest(fn, indexProviders(broken))));
    assert.equal(got.length, 1, got.join("\n"));
    assert.match(got[0], /^supported-runtime \d .*nodejs16\.x/);
  });

  it("answers AnalyzeStack with the region that lacks central log shipping", async () => {
    const broken = without(plan, "us-east-1-canary-log-shipping");
    const providers = indexProviders(broken);
    const req = new analyzer.AnalyzeStackRequest();
    req.setResourcesList(broken.resources.map((r) => stackResource(r, providers)));
    const got = diagnostics(await session.analyzeStack(req));
    assert.deepEqual(
      got.map((d) => d.split(" ")[0]),
      ["central-log-shipping"],
      got.join("\n"),
    );
    assert.match(got[0], new RegExp(`^central-log-shipping ${analyzer.EnforcementLevel.MANDATORY} us-east-1: `));
  });
});

describe("the CLI loader type-checks with the pack's tsconfig.json", function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    // A throwaway pack that reads policies/tsconfig.json, with the repo's node_modules.
    dir = mkdtempSync(join(tmpdir(), "cli-loader-"));
    symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    writeFileSync(join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "probe", main: "index.ts" }));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: join(DEFAULT_PACK_DIR, "tsconfig.json") }));
    // toSorted needs lib ES2023 (the CLI's own default lib lacks it); the untyped parameter fails only under strict.
    writeFileSync(join(dir, "index.ts"), "export const sorted = [3, 1].toSorted();\nexport function untyped(x) {\n  return x;\n}\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to start a pack that breaks the repo's strict settings, naming the error, and accepts ES2023 APIs", async () => {
    await assert.rejects(AnalyzerSession.start({ packDir: dir, stack: "dev", project: "probe", loader: "pulumi-cli" }), (e: unknown) => {
      assert.ok(e instanceof AnalyzerStartError, String(e));
      assert.match(e.message, /index\.ts\(2,25\): error TS7006: Parameter 'x' implicitly has an 'any' type/);
      assert.doesNotMatch(e.message, /toSorted/);
      return true;
    });
  });

  it("points at npm install when run-policy-pack cannot be resolved from the pack", () => {
    const bare = mkdtempSync(join(tmpdir(), "cli-loader-bare-"));
    try {
      assert.throws(
        () => packCommand("pulumi-cli", bare),
        (e: unknown) => e instanceof AnalyzerStartError && /run-policy-pack cannot be resolved.*npm install/.test(e.message),
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
