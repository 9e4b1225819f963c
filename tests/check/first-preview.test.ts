// A brand-new stack's first `pulumi preview`: every computed output (ARNs, ids,
// the RDS-managed secret) is unknown, and the pack treats an unknown value a
// mandatory policy needs as a violation. The program builds the ARNs its
// policies name from known inputs (infra/arns.ts), so the pack can verify them.
// One value cannot be known before creation: the ARN of the secret RDS creates
// for the master user (a Secrets Manager ARN ends in a random suffix). The
// role policies granting it are the only findings left, pinned here exactly.
import { strict as assert } from "node:assert";
import { AnalyzerSession } from "../../tools/check/analyzer-client";
import { DEFAULT_PACK_DIR } from "../../tools/check/index";
import { defaultConfigPath, readPackConfig, type PackConfig } from "../../tools/check/pack-config";
import { checkPlan, type CheckReport, type Violation } from "../../tools/check/run-check";
import { listStacks, planStack, REPO_ROOT, UNKNOWN, type PlanFile, type PlanResource } from "../../tools/plan/plan-stack";

const FUNCTION = "aws:lambda/function:Function";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";

function stackConfig(stack: string): PackConfig {
  const path = defaultConfigPath(DEFAULT_PACK_DIR, stack);
  return path ? readPackConfig(path) : {};
}

function mandatory(report: CheckReport): Violation[] {
  return report.violations.filter((v) => v.enforcementLevel === "mandatory");
}

function envOf(fn: PlanResource): Record<string, unknown> {
  const environment = fn.props.environment as { variables?: Record<string, unknown> } | undefined;
  return environment?.variables ?? {};
}

/** The inline policies of a function's role, found through the plan's property dependencies. */
function rolePoliciesOf(plan: PlanFile, fn: PlanResource): PlanResource[] {
  const role = fn.propertyDependencies.role ?? [];
  assert.equal(role.length, 1, `${fn.name}'s role is not one resource of the plan`);
  return plan.resources.filter((r) => r.type === ROLE_POLICY && (r.propertyDependencies.role ?? []).includes(role[0]));
}

/** Role policies of the functions that read the RDS-managed secret, whose ARN a first preview cannot know. */
function databaseSecretPolicies(plan: PlanFile): PlanResource[] {
  return plan.resources.filter((r) => r.type === FUNCTION && envOf(r).DB_SECRET_ARN === UNKNOWN).flatMap((fn) => rolePoliciesOf(plan, fn));
}

function withProp(plan: PlanFile, name: string, key: string, value: string): PlanFile {
  const copy = structuredClone(plan);
  const target = copy.resources.find((r) => r.name === name);
  if (!target) throw new Error(`the plan has no resource named ${name}`);
  target.props[key] = value;
  return copy;
}

describe("a new stack's first preview (computed outputs unknown) against the pack", function () {
  this.timeout(300_000);
  const plans = new Map<string, PlanFile>();
  const reports = new Map<string, CheckReport>();
  let session: AnalyzerSession;

  before(async () => {
    const stacks = listStacks(REPO_ROOT);
    assert.ok(stacks.includes("dev") && stacks.length >= 2, stacks.join(","));
    for (const stack of stacks) plans.set(stack, await planStack(stack, { unknownOutputs: true }));
    const dev = plans.get("dev") as PlanFile;
    session = await AnalyzerSession.start({ packDir: DEFAULT_PACK_DIR, stack: "dev", project: dev.project });
    for (const [stack, plan] of plans) reports.set(stack, await checkPlan(session, plan, stackConfig(stack)));
  });
  after(async () => session?.close());

  it("really is a first preview: outputs the program reads are unknown", () => {
    for (const [stack, plan] of plans) {
      const unknownHosts = plan.resources.filter((r) => r.type === FUNCTION && envOf(r).DB_HOST === UNKNOWN);
      assert.ok(unknownHosts.length > 0, `stack ${stack}: no function has an unknown DB_HOST, so this is not a first preview`);
    }
  });

  it("names only known ARNs in the raw buckets' policies and in the roles of functions that do not read the database secret", () => {
    for (const [stack, plan] of plans) {
      const secretPolicies = new Set(databaseSecretPolicies(plan).map((p) => p.urn));
      const functionPolicies = plan.resources.filter((r) => r.type === FUNCTION).flatMap((fn) => rolePoliciesOf(plan, fn));
      const rawBucketPolicies = plan.resources.filter((r) => r.type === BUCKET_POLICY && r.name.endsWith("-raw-bucket-policy"));
      assert.ok(functionPolicies.length > secretPolicies.size && rawBucketPolicies.length > 0, `stack ${stack}: nothing to look at`);
      for (const p of [...functionPolicies.filter((f) => !secretPolicies.has(f.urn)), ...rawBucketPolicies]) {
        assert.equal(typeof p.props.policy, "string", `stack ${stack}: ${p.name} has no policy document`);
        assert.ok(!(p.props.policy as string).includes(UNKNOWN), `stack ${stack}: ${p.name}'s policy is unknown at preview`);
      }
    }
  });

  it("passes every mandatory policy except for the role policies granting the RDS-managed secret, which RDS names only at creation", () => {
    for (const [stack, plan] of plans) {
      const expected = databaseSecretPolicies(plan)
        .map((p) => `least-privilege-role ${p.region} ${p.urn}`)
        .sort();
      // Per region: thumbnails, migrate, db-guard and canary read the secret.
      assert.ok(expected.length > 0, `stack ${stack}: no function reads an unknown database secret`);
      const got = mandatory(reports.get(stack) as CheckReport);
      assert.deepEqual(got.map((v) => `${v.policy} ${v.region} ${v.urn ?? ""}`).sort(), expected, `stack ${stack}:\n${got.map((v) => v.message).join("\n")}`);
      for (const v of got) assert.match(v.message, /props\.policy is unknown at preview time/);
    }
  });

  it("still fails a policy-relevant value that is unknown: the pack's strictness is not bypassed", async () => {
    const dev = plans.get("dev") as PlanFile;
    const region = "us-east-1";
    const broken = withProp(withProp(dev, `${region}-raw-bucket-policy`, "policy", UNKNOWN), `${region}-ticket-opener-policy`, "policy", UNKNOWN);
    const before = new Set(mandatory(reports.get("dev") as CheckReport).map((v) => v.urn));
    const added = mandatory(await checkPlan(session, broken, stackConfig("dev"))).filter((v) => !before.has(v.urn));
    assert.deepEqual(added.map((v) => `${v.policy} ${v.region}`).sort(), [`least-privilege-role ${region}`, `raw-bucket-private ${region}`]);
    for (const v of added) assert.match(v.message, /props\.policy is unknown at preview time/);
  });
});
