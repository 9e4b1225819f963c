// A program's resources as the engine holds them before a pack sees them:
// the root stack around everything, a default provider from the stack's
// config where a resource names none, the SDK's version on providers, names
// the provider generates, and the exports as the root stack's outputs.
import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { version as AWS_VERSION } from "@pulumi/aws/package.json";
import * as pulumi from "@pulumi/pulumi";
import { defaultProviderName, ROOT_STACK_TYPE } from "../../../toolchain/plan/engine-view";
import { runUnderMocks, type PlanFile, type PlanResource } from "../../../toolchain/plan/run-under-mocks";

function run(config: Record<string, string>, program: () => unknown): Promise<PlanFile> {
  return runUnderMocks({ pulumi, project: "shop", stack: "dev", config, workDir: __dirname }, program);
}

function byName(plan: PlanFile, name: string): PlanResource {
  const r = plan.resources.find((x) => x.name === name);
  assert.ok(r, `no resource ${name} in ${plan.resources.map((x) => x.name).join(", ")}`);
  return r;
}

describe("the engine's view of a program under the mocks", () => {
  let plan: PlanFile;

  before(async () => {
    plan = await run({ "aws:region": "eu-west-1", "aws:skipMetadataApiCheck": "true", "shop:size": "3" }, () => {
      const bucket = new aws.s3.Bucket("uploads");
      const west = new aws.Provider("us", { region: "us-west-2" });
      new aws.sqs.Queue("jobs", {}, { provider: west });
      new aws.sqs.Queue("retries", {});
      return { bucket: bucket.bucket, size: new pulumi.Config().requireNumber("size") };
    });
  });

  it("registers the root stack first, the parent of every top-level resource, URNs unchanged", () => {
    const root = plan.resources[0];
    assert.equal(root.type, ROOT_STACK_TYPE);
    assert.equal(root.urn, "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev");
    assert.equal(root.region, "global");
    const bucket = byName(plan, "uploads");
    assert.equal(bucket.parent, root.urn);
    assert.equal(bucket.urn, "urn:pulumi:dev::shop::aws:s3/bucket:Bucket::uploads");
  });

  it("gives the program's exports to the root stack as outputs", () => {
    assert.deepEqual(plan.resources[0].outputs, { bucket: byName(plan, "uploads").props.bucket, size: 3 });
  });

  it("adds one default provider per package version, from the stack's aws:* config, without a parent", () => {
    const defaults = plan.resources.filter((r) => r.name.startsWith("default"));
    assert.equal(defaults.length, 1);
    const [p] = defaults;
    assert.equal(p.name, defaultProviderName(AWS_VERSION));
    assert.equal(p.urn, `urn:pulumi:dev::shop::pulumi:providers:aws::default_${AWS_VERSION.replace(/\./g, "_")}`);
    assert.deepEqual(p.props, { region: "eu-west-1", skipMetadataApiCheck: "true", version: AWS_VERSION });
    assert.equal(p.parent, null);
    for (const name of ["uploads", "retries"]) {
      const r = byName(plan, name);
      assert.ok(r.provider?.startsWith(`${p.urn}::`), `${name}: ${r.provider}`);
      assert.equal(r.region, "eu-west-1");
    }
  });

  it("keeps an explicit provider, with the version the SDK registered it with", () => {
    const west = byName(plan, "us");
    assert.equal(west.props.version, AWS_VERSION);
    assert.equal(west.parent, plan.resources[0].urn);
    assert.equal(byName(plan, "jobs").region, "us-west-2");
  });

  it("fills in the names the provider generates, in inputs and outputs alike", () => {
    const bucket = byName(plan, "uploads");
    assert.match(String(bucket.props.bucket), /^uploads-[0-9a-f]{7}$/);
    assert.equal(bucket.outputs?.bucket, bucket.props.bucket);
    assert.match(String(byName(plan, "jobs").props.name), /^jobs-[0-9a-f]{7}$/);
  });

  it("refuses a resource on a default provider that the stack disables, as the engine does", async () => {
    await assert.rejects(
      run({ "aws:region": "eu-west-1", "pulumi:disable-default-providers": '["aws"]' }, () => new aws.sqs.Queue("orphan")),
      /Default provider for 'aws' disabled\. 'urn:pulumi:dev::shop::aws:sqs\/queue:Queue::orphan' must use an explicit provider\./,
    );
  });

  it("asks for aws:region when a resource is on the default provider and the stack sets none", async () => {
    await assert.rejects(
      run({}, () => new aws.sqs.Queue("somewhere")),
      /uses the default aws provider, and stack dev sets no aws:region: set it in Pulumi\.dev\.yaml/,
    );
  });
});
