// A brand-new stack's first `pulumi preview`: every computed output (ARNs, ids,
// the RDS-managed secret) is unknown, and the pack treats an unknown value a
// mandatory policy needs as a violation. The program builds the ARNs its
// policies name from known inputs (infra/arns.ts), so the pack can verify them.
// The master secret RDS creates has an ARN ending in a random suffix, unknown
// until creation; its readers' roles are granted RDS's secret pattern pinned
// to their instance by the `aws:rds:primaryDBInstanceArn` tag, which is known.
// So no stack's first preview has a mandatory finding, while a value a policy
// does need stays a violation when unknown.
import { strict as assert } from "node:assert";
import { DATABASE_FUNCTIONS } from "../../../contracts";
import { AnalyzerSession } from "../../../toolchain/check/analyzer-client";
import { DEFAULT_PACK_DIR } from "../../../toolchain/check/index";
import { stackPackConfig, type PackConfig } from "../../../toolchain/check/pack-config";
import { checkPlan, type CheckReport, type Violation } from "../../../toolchain/check/run-check";
import { MOCK_ACCOUNT_ID as ACCOUNT } from "../../../toolchain/plan/mocks";
import { listStacks, planStack, REPO_ROOT, UNKNOWN, type PlanFile, type PlanResource } from "../../../toolchain/plan/plan-stack";

const FUNCTION = "aws:lambda/function:Function";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const DB_INSTANCE = "aws:rds/instance:Instance";

function stackConfig(stack: string): PackConfig {
  return stackPackConfig(stack);
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

/** Functions that read the RDS-managed secret, whose ARN a first preview cannot know. */
function databaseSecretReaders(plan: PlanFile): PlanResource[] {
  return plan.resources.filter((r) => r.type === FUNCTION && envOf(r).DB_SECRET_ARN === UNKNOWN);
}

function withProp(plan: PlanFile, name: string, key: string, value: string): PlanFile {
  const copy = structuredClone(plan);
  const target = copy.resources.find((r) => r.name === name);
  if (!target) throw new Error(`the plan has no resource named ${name}`);
  target.props[key] = value;
  // AnalyzeStack reads the outputs, which echo the inputs.
  if (target.outputs) target.outputs[key] = value;
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

  it("names only known ARNs in the raw buckets' policies and in every function's role, the RDS-managed secret pinned to its instance", () => {
    for (const [stack, plan] of plans) {
      const functionPolicies = plan.resources.filter((r) => r.type === FUNCTION).flatMap((fn) => rolePoliciesOf(plan, fn));
      const rawBucketPolicies = plan.resources.filter((r) => r.type === BUCKET_POLICY && r.name.endsWith("-raw-bucket-policy"));
      assert.ok(functionPolicies.length > 0 && rawBucketPolicies.length > 0, `stack ${stack}: nothing to look at`);
      for (const p of [...functionPolicies, ...rawBucketPolicies]) {
        assert.equal(typeof p.props.policy, "string", `stack ${stack}: ${p.name} has no policy document`);
        assert.ok(!(p.props.policy as string).includes(UNKNOWN), `stack ${stack}: ${p.name}'s policy is unknown at preview`);
      }
      const readers = databaseSecretReaders(plan);
      // Per region: the database functions (thumbnails, migrate, db-guard, canary, api, result-publisher) read the secret.
      assert.ok(
        readers.length > 0 && readers.length % DATABASE_FUNCTIONS.length === 0,
        `stack ${stack}: ${readers.length} functions read an unknown database secret`,
      );
      for (const fn of readers) {
        const instance = plan.resources.find((r) => r.type === DB_INSTANCE && r.region === fn.region);
        assert.ok(instance, `stack ${stack}: no DB instance in ${fn.region}`);
        const pinned = `"secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn":"arn:aws:rds:${fn.region}:${ACCOUNT}:db:${String(instance.props.identifier)}"`;
        assert.ok(
          rolePoliciesOf(plan, fn).some((p) => (p.props.policy as string).includes(pinned)),
          `stack ${stack}: ${fn.name}'s role does not pin the secret to ${String(instance.props.identifier)}`,
        );
        assert.ok(
          (fn.propertyDependencies.environment ?? []).includes(instance.urn),
          `stack ${stack}: ${fn.name}'s environment does not come from its instance`,
        );
      }
    }
  });

  it("passes every mandatory policy on every stack", () => {
    for (const [stack] of plans) {
      const got = mandatory(reports.get(stack) as CheckReport);
      assert.deepEqual(
        got.map((v) => `${v.policy} ${v.region} ${v.urn ?? ""}`),
        [],
        `stack ${stack}:\n${got.map((v) => v.message).join("\n")}`,
      );
    }
  });

  it("still fails a policy-relevant value that is unknown: the pack's strictness is not bypassed", async () => {
    const dev = plans.get("dev") as PlanFile;
    const region = "us-east-1";
    const broken = withProp(withProp(dev, `${region}-raw-bucket-policy`, "policy", UNKNOWN), `${region}-ticket-opener-policy`, "policy", UNKNOWN);
    const found = mandatory(await checkPlan(session, broken, stackConfig("dev")));
    assert.deepEqual(found.map((v) => `${v.policy} ${v.region}`).sort(), [`least-privilege-role ${region}`, `private-buckets ${region}`]);
    for (const v of found) assert.match(v.message, /props\.policy is unknown at preview time/);
  });

  it("still fails an unknown DB_SECRET_ARN whose function's environment does not come from the pinned instance", async () => {
    const dev = plans.get("dev") as PlanFile;
    const name = "eu-central-1-migrate";
    const broken = structuredClone(dev);
    const fn = broken.resources.find((r) => r.name === name);
    if (!fn) throw new Error(`the plan has no resource named ${name}`);
    const instances = new Set(broken.resources.filter((r) => r.type === DB_INSTANCE).map((r) => r.urn));
    fn.propertyDependencies.environment = (fn.propertyDependencies.environment ?? []).filter((u) => !instances.has(u));
    const found = mandatory(await checkPlan(session, broken, stackConfig("dev")));
    assert.deepEqual(
      found.map((v) => `${v.policy} ${v.urn ?? ""}`),
      [`least-privilege-role ${fn.urn}`],
    );
    assert.match(found[0].message, /props\.environment\.variables\.DB_SECRET_ARN is unknown at preview time/);
  });
});
