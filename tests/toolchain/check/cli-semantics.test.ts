// `npm run check -- --pack DIR` against a pack written elsewhere, held to what
// `pulumi preview --policy-pack DIR` does with it (pkg/engine and
// pkg/resource/plugin in pulumi/pulumi):
//   - the policy config is reconciled from each policy's level and schema
//     defaults, then the pack's own initial config, then the config file, and
//     validated against the schemas before anything is analyzed;
//   - a per-resource finding belongs to the resource analyzed, whatever URN the
//     diagnostic carries; a stack finding without a URN of the stack belongs to
//     the root stack resource;
//   - resource references reach the pack as the referenced resource's id (a
//     custom resource) or URN (a component), as MarshalProperties does without
//     KeepResources.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../toolchain/check/index";
import type { PlanFile, PlanResource } from "../../../toolchain/plan/plan-stack";

const PROBE_PACK = join(__dirname, "fixtures", "packs", "strict-probe");
const SIG = "4dabf18193072939515e22adb298388d";
const RESOURCE_REFERENCE = "5cf8f73096256a8f31e491e813e4eb8e";
const STACK = "dev";
const PROJECT = "probe";
const ROOT_STACK_URN = `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`;

interface JsonViolation {
  policy: string;
  enforcementLevel: string;
  urn: string | null;
  region: string;
  message: string;
}

function resource(type: string, name: string, props: PlanResource["props"], extra: Partial<PlanResource> = {}): PlanResource {
  return {
    urn: `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`,
    type,
    name,
    region: "eu-west-1",
    parent: null,
    provider: null,
    props,
    dependencies: [],
    propertyDependencies: {},
    ...extra,
  };
}

/** A small program's plan: a provider, a 2 GB function, a component, and a permission naming both by reference. */
function probePlan(): PlanFile {
  const provider = resource("pulumi:providers:aws", "eu", { region: "eu-west-1" });
  const providerRef = `${provider.urn}::provider-eu`;
  const component = resource("acme:index:Service", "orders", {}, { region: "eu-west-1" });
  const fn = resource("aws:lambda/function:Function", "big-fn", { memorySize: 2048, runtime: "nodejs22.x" }, { provider: providerRef, parent: component.urn });
  fn.urn = `urn:pulumi:${STACK}::${PROJECT}::acme:index:Service$aws:lambda/function:Function::big-fn`;
  const permission = resource(
    "aws:lambda/permission:Permission",
    "allow-s3",
    {
      action: "lambda:InvokeFunction",
      function: { [SIG]: RESOURCE_REFERENCE, urn: fn.urn, id: "big-fn-1a2b3c4", packageVersion: "7.48.0" },
      sourceArn: { [SIG]: RESOURCE_REFERENCE, urn: component.urn, packageVersion: "" },
    },
    { provider: providerRef, dependencies: [fn.urn, component.urn], propertyDependencies: { function: [fn.urn], sourceArn: [component.urn] } },
  );
  return { stack: STACK, project: PROJECT, resources: [provider, component, fn, permission] };
}

describe("npm run check -- --pack: a pack from elsewhere, with the CLI's semantics", function () {
  this.timeout(120_000);
  let dir: string;
  let planPath: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "check-semantics-"));
    planPath = join(dir, "plan.json");
    writeFileSync(planPath, JSON.stringify(probePlan()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function check(...extra: string[]): Promise<{ code: number; out: string; err: string; violations: JsonViolation[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["--pack", PROBE_PACK, "--plan", planPath, "--json", ...extra], { out: (t) => void out.push(t), err: (t) => void err.push(t) });
    const text = out.join("");
    const violations = text ? ((JSON.parse(text) as { violations: JsonViolation[] }).violations ?? []) : [];
    return { code, out: text, err: err.join(""), violations };
  }

  it("applies the pack's own initial config: every policy mandatory, one lowered to advisory, and exits 1", async () => {
    const { code, violations, err } = await check();
    assert.equal(code, 1, err);
    const levels = Object.fromEntries(violations.map((v) => [v.policy, v.enforcementLevel]));
    assert.deepEqual(levels, { "memory-ceiling": "mandatory", "stack-has-alarm": "mandatory", "permission-target": "advisory" });
  });

  it("fills a policy's config from its schema defaults", async () => {
    const { violations } = await check();
    const v = violations.find((x) => x.policy === "memory-ceiling");
    assert.ok(v, JSON.stringify(violations));
    assert.match(v.message, /big-fn has 2048 MB, over 1024 MB$/);
  });

  it("lets the config file override the defaults and the pack's levels, and validates it against the schema", async () => {
    const configPath = join(dir, "config.json");
    writeFileSync(configPath, JSON.stringify({ "memory-ceiling": { maxMemoryMb: 4096 }, "stack-has-alarm": "advisory" }));
    const passed = await check("--config", configPath);
    assert.equal(passed.code, 0, passed.err);
    assert.deepEqual(passed.violations.map((v) => `${v.policy} ${v.enforcementLevel}`).sort(), ["permission-target advisory", "stack-has-alarm advisory"]);

    writeFileSync(configPath, JSON.stringify({ "memory-ceiling": { maxMemoryMb: "lots" } }));
    const invalid = await check("--config", configPath);
    assert.equal(invalid.code, 2);
    assert.match(invalid.err, /validating policy config: strict-probe 0\.1\.0 {2}memory-ceiling: maxMemoryMb: .*number/);
  });

  it("attributes a resource finding without a URN to the resource analyzed, in its region", async () => {
    const { violations } = await check();
    const v = violations.find((x) => x.policy === "memory-ceiling");
    assert.ok(v);
    assert.equal(v.urn, probePlan().resources[2].urn);
    assert.equal(v.region, "eu-west-1");
  });

  it("attributes a stack finding without a URN to the root stack resource", async () => {
    const { violations } = await check();
    const v = violations.find((x) => x.policy === "stack-has-alarm");
    assert.ok(v);
    assert.equal(v.urn, ROOT_STACK_URN);
    assert.equal(v.region, "stack");
  });

  it("hands resource references over as the engine does: a custom resource's id, a component's URN", async () => {
    const { violations, err } = await check();
    const v = violations.find((x) => x.policy === "permission-target");
    assert.ok(v, err);
    const component = probePlan().resources[1].urn;
    assert.ok(v.message.endsWith(`function="big-fn-1a2b3c4" sourceArn=${JSON.stringify(component)}`), v.message);
  });
});
