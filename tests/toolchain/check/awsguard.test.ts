// AWSGuard served through `--pack`, as `pulumi preview --policy-pack` serves
// it. AwsGuard's constructor sets every level through the pack's initial
// config and several policies read only their schema defaults, so this is
// where the CLI's config semantics decide the outcome: constructed with
// { all: "mandatory" } it must fail exactly where its advisory form reports,
// on the same resources, and its defaulted policies must run.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWSGUARD_PACK_DIR, runCli } from "../../../toolchain/check/index";
import { planStack, type PlanFile, type PlanResource } from "../../../toolchain/plan/plan-stack";

const MANDATORY_PACK = join(__dirname, "fixtures", "packs", "awsguard-mandatory");

interface JsonViolation {
  policy: string;
  enforcementLevel: string;
  urn: string;
  region: string;
  message: string;
}

async function check(args: string[]): Promise<{ code: number; violations: JsonViolation[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...args, "--json"], { out: (t) => void out.push(t), err: (t) => void err.push(t) });
  return { code, violations: out.length ? (JSON.parse(out.join("")) as { violations: JsonViolation[] }).violations : [], err: err.join("") };
}

const where = (v: JsonViolation) => `${v.policy} ${v.region} ${v.urn}`;

describe("AWSGuard through --pack", function () {
  this.timeout(180_000);
  let dir: string;
  let dev: PlanFile;
  let devPlan: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "awsguard-"));
    dev = await planStack("dev");
    devPlan = join(dir, "dev.json");
    writeFileSync(devPlan, JSON.stringify(dev));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("constructed with every policy mandatory, fails the dev stack exactly where its advisory form reports", async () => {
    const advisory = await check(["--plan", devPlan, "--pack", AWSGUARD_PACK_DIR]);
    const mandatory = await check(["--plan", devPlan, "--pack", MANDATORY_PACK]);
    assert.equal(advisory.code, 0, advisory.err);
    assert.equal(mandatory.code, 1, mandatory.err);
    assert.ok(advisory.violations.length > 0, "AWSGuard reports nothing on dev: the comparison would prove nothing");
    assert.deepEqual([...new Set(advisory.violations.map((v) => v.enforcementLevel))], ["advisory"]);
    assert.deepEqual([...new Set(mandatory.violations.map((v) => v.enforcementLevel))], ["mandatory"]);
    assert.deepEqual(mandatory.violations.map(where), advisory.violations.map(where));
    const byUrn = new Map(dev.resources.map((r) => [r.urn, r]));
    for (const v of mandatory.violations) {
      assert.equal(byUrn.get(v.urn)?.region, v.region, `${v.policy}: ${v.urn} is not a resource of the plan in ${v.region}`);
    }
  });

  it("reports on dev and prod exactly what docs/policies.md lists, and nothing mandatory", async () => {
    // docs/policies.md, "AWSGuard beside snowflake-guard": keep the table and this list together.
    const documented: Record<string, string[]> = {
      dev: [
        "rds-instance-multi-az-enabled *-db",
        "s3-bucket-logging-enabled *-access-logs-bucket",
        "s3-bucket-logging-enabled *-log-archive-bucket",
        "s3-bucket-logging-enabled *-raw-bucket",
        "s3-bucket-logging-enabled *-thumbnails-bucket",
      ],
      prod: [
        "s3-bucket-logging-enabled *-access-logs-bucket",
        "s3-bucket-logging-enabled *-log-archive-bucket",
        "s3-bucket-logging-enabled *-raw-bucket",
        "s3-bucket-logging-enabled *-thumbnails-bucket",
      ],
    };
    for (const stack of ["dev", "prod"]) {
      const { code, violations, err } = await check(["--stack", stack, "--pack", AWSGUARD_PACK_DIR]);
      assert.equal(code, 0, err);
      const kinds = [
        ...new Set(violations.map((v) => `${v.policy} ${v.urn.slice(v.urn.lastIndexOf("::") + 2).replace(/^[a-z]{2}-[a-z]+-\d+-/, "*-")}`)),
      ].sort();
      assert.deepEqual(kinds, documented[stack], `stack ${stack}: AWSGuard's findings changed; update docs/policies.md`);
    }
  });

  it("runs the policies that read only their schema defaults", async () => {
    const cluster: PlanResource = {
      urn: "urn:pulumi:dev::warehouse::aws:redshift/cluster:Cluster::analytics",
      type: "aws:redshift/cluster:Cluster",
      name: "analytics",
      region: "us-east-1",
      parent: null,
      provider: null,
      props: { clusterIdentifier: "analytics", nodeType: "ra3.xlplus", encrypted: false, publiclyAccessible: false, allowVersionUpgrade: true },
      dependencies: [],
      propertyDependencies: {},
    };
    const planPath = join(dir, "warehouse.json");
    writeFileSync(planPath, JSON.stringify({ stack: "dev", project: "warehouse", resources: [cluster] }));
    const { code, violations, err } = await check(["--plan", planPath, "--pack", MANDATORY_PACK]);
    assert.equal(code, 1, err);
    // clusterDbEncrypted and loggingEnabled default to true; nodeTypes defaults to [] (no restriction).
    assert.deepEqual(
      violations.map((v) => `${v.policy} ${v.enforcementLevel} ${v.urn} ${v.message.split("\n").pop()}`),
      [
        `redshift-cluster-configuration mandatory ${cluster.urn} Redshift cluster must be encrypted.`,
        `redshift-cluster-configuration mandatory ${cluster.urn} Redshift cluster must have logging enabled.`,
      ],
    );
  });
});
