// `npm run check -- --program DIR [--stack NAME]`: a Pulumi TypeScript program
// from anywhere, run as the CLI's language host runs it (its folder, its
// stack's config, its main, an exported function called) under the generic
// AWS mocks: data sources answered, regions from explicit providers or the
// stack's aws:region, ARNs in the region's partition.
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../toolchain/check/index";
import { planProgram, ProgramError } from "../../../toolchain/plan/plan-program";
import type { PlanFile } from "../../../toolchain/plan/run-under-mocks";
import { UNKNOWN } from "../../../toolchain/plan/wire";

const PROBE = join(__dirname, "fixtures", "programs", "probe");
const STRICT_PROBE_PACK = join(__dirname, "fixtures", "packs", "strict-probe");

function resource(plan: PlanFile, name: string) {
  const r = plan.resources.find((x) => x.name === name);
  assert.ok(r, `no ${name} in ${plan.resources.map((x) => x.name).join(", ")}`);
  return r;
}

describe("check --program: any Pulumi program under the generic mocks", function () {
  this.timeout(120_000);
  let staging: Awaited<ReturnType<typeof planProgram>>;
  let outside: string;

  before(async () => {
    staging = await planProgram(PROBE, "staging");
    outside = mkdtempSync(join(tmpdir(), "foreign-program-"));
  });
  after(() => rmSync(outside, { recursive: true, force: true }));

  it("passes the stack's config as the CLI does: project defaults, namespaces, JSON for structured values, secrets marked", () => {
    assert.deepEqual(staging.stackConfig.config, {
      "probe:owner": "platform",
      "probe:retentionDays": "30",
      "aws:defaultTags": '{"tags":{"team":"platform"}}',
      "aws:region": "ap-southeast-2",
      "probe:limits": '{"memoryMb":256}',
      "probe:apiToken": "stand-in-for-probe:apiToken",
    });
    assert.deepEqual(staging.stackConfig.secretKeys, ["probe:apiToken"]);
    const out = staging.plan.resources[0].outputs as Record<string, unknown>;
    assert.equal(out.owner, "platform");
    assert.equal(out.memoryMb, 256);
    assert.equal(out.tokenIsSet, true);
    assert.equal(resource(staging.plan, "work").props.messageRetentionSeconds, 30 * 86400, "the stack's value beats the project default");
  });

  it("answers the common data sources in the stack's region and account", () => {
    const out = staging.plan.resources[0].outputs as Record<string, unknown>;
    assert.equal(out.accountId, "123456789012");
    assert.equal(out.region, "ap-southeast-2");
    assert.equal(out.partition, "aws");
    assert.deepEqual(out.zones, ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"]);
    assert.match(String(out.vpcId), /^vpc-[0-9a-f]{17}$/);
    assert.equal(out.subnetCount, 3);
    assert.match(String(out.ami), /^ami-[0-9a-f]{17}$/);
    assert.deepEqual(JSON.parse(String(out.policy)), {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Principal: { Service: "lambda.amazonaws.com" } }],
    });
  });

  it("places resources in their provider's region: an explicit provider's, else the stack's aws:region", () => {
    assert.equal(resource(staging.plan, "work").region, "ap-southeast-2");
    assert.equal(resource(staging.plan, "east").region, "us-east-1");
    const out = staging.plan.resources[0].outputs as Record<string, unknown>;
    assert.match(String(out.queueArn), /^arn:aws:sqs:ap-southeast-2:123456789012:work-[0-9a-f]{7}$/);
    assert.match(String(out.eastArn), /^arn:aws:sqs:us-east-1:123456789012:east-[0-9a-f]{7}$/);
    const defaultProvider = staging.plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name.startsWith("default"));
    assert.deepEqual(defaultProvider?.props, { defaultTags: '{"tags":{"team":"platform"}}', region: "ap-southeast-2", version: "7.48.0" });
  });

  it("builds ARNs in the region's partition", async () => {
    const gov = await planProgram(PROBE, "gov");
    const out = gov.plan.resources[0].outputs as Record<string, unknown>;
    assert.equal(out.partition, "aws-us-gov");
    assert.match(String(out.queueArn), /^arn:aws-us-gov:sqs:us-gov-west-1:/);
  });

  it("runs a program outside this repository with no node_modules of its own, on this repository's @pulumi packages", async () => {
    const dir = join(outside, "copy");
    cpSync(PROBE, dir, { recursive: true });
    const plan = await planProgram(dir, "staging");
    assert.equal((plan.plan.resources[0].outputs as Record<string, unknown>).region, "ap-southeast-2");
  });

  it("checks it over the Analyzer protocol, telling that encrypted values got stand-ins", async () => {
    const err: string[] = [];
    const out: string[] = [];
    const code = await runCli(["--program", PROBE, "--stack", "staging", "--pack", STRICT_PROBE_PACK, "--json"], {
      out: (t) => void out.push(t),
      err: (t) => void err.push(t),
    });
    assert.equal(code, 0, err.join(""));
    assert.match(
      err.join(""),
      /probe:apiToken is encrypted in Pulumi\.staging\.yaml; the offline check gives the program and the packs a stand-in value, marked secret/,
    );
    assert.deepEqual((JSON.parse(out.join("")) as { violations: unknown[] }).violations, []);
  });

  it("plans a stack's first preview on request: computed outputs unknown, generated names known", async () => {
    const first = await planProgram(PROBE, "staging", { firstPreview: true });
    const out = first.plan.resources[0].outputs as Record<string, unknown>;
    assert.equal(out.queueArn, UNKNOWN);
    assert.match(String(resource(first.plan, "work").props.name), /^work-[0-9a-f]{7}$/);
  });

  it("asks for --stack when the program has several stacks", async () => {
    await assert.rejects(
      planProgram(PROBE, undefined),
      (e: unknown) => e instanceof ProgramError && /has stacks gov, staging: give --stack NAME/.test(e.message),
    );
  });

  it("names a data source the mocks do not answer, and where to add it", async () => {
    const dir = join(outside, "unanswered");
    cpSync(PROBE, dir, { recursive: true });
    writeFileSync(
      join(dir, "src", "main.ts"),
      'import * as aws from "@pulumi/aws";\nexport = async () => ({ ip: (await aws.ec2.getInstance({ instanceId: "i-1" })).publicIp });\n',
    );
    await assert.rejects(
      planProgram(dir, "staging"),
      (e: unknown) =>
        e instanceof ProgramError && /no answer for data source aws:ec2\/getInstance:getInstance: add it to toolchain\/plan\/mocks\.ts/.test(e.message),
    );
  });
});
