// Every policy, through the runtime's unknown-checking proxy: the contract
// plan passes each one, and each one fails on a plan broken in its concern,
// naming the region. Unknown values a mandatory policy needs fail it too.
import { strict as assert } from "node:assert";
import type { Policy } from "@pulumi/policy";
import { requiredAlarms } from "../../policies/alarms";
import { workingBuildCheck, workingBuildSpec } from "../../policies/build";
import { POLICIES } from "../../policies/catalog";
import { connectionBudget } from "../../policies/database";
import { encryptionAtRest } from "../../policies/encryption";
import { leastPrivilegeRole } from "../../policies/iam";
import { centralLogShipping } from "../../policies/logging";
import { functionDatabaseNetwork } from "../../policies/network";
import { regionParity } from "../../policies/parity";
import { asyncFailureDestination, queueVisibility } from "../../policies/queues";
import { memoryCap, supportedRuntime } from "../../policies/runtime";
import { rawBucketPrivate } from "../../policies/storage";
import { stackPolicy } from "../../policies/support/define";
import type { PlanFile } from "../../tools/plan/plan-stack";
import { BUNDLE_HASHES, fixtureRepo, goodPlan, UNKNOWN, withProps, withResource, without } from "./fixture";
import { blocking, names, runPolicy, type Diagnostic } from "./harness";

const workingBuild = stackPolicy(workingBuildSpec, workingBuildCheck(fixtureRepo()));
const ALL = POLICIES.map((p) => (p.name === workingBuildSpec.name ? workingBuild : p));

async function failures(policy: Policy, plan: PlanFile, config: Record<string, unknown> = {}): Promise<Diagnostic[]> {
  return blocking(await runPolicy(policy, plan, config));
}

/** Asserts the policy blocks, with a finding naming the region and matching the text. */
async function assertBlocks(policy: Policy, plan: PlanFile, region: string, text: RegExp): Promise<Diagnostic[]> {
  const found = await failures(policy, plan);
  assert.ok(found.length > 0, `${policy.name} did not block`);
  assert.ok(
    found.some((d) => d.policy === policy.name && d.message.includes(`${region}:`) && text.test(d.message)),
    `${policy.name}: expected a finding for ${region} matching ${text}, got:\n${found.map((d) => d.message).join("\n")}`,
  );
  return found;
}

describe("snowflake-guard policies (through the runtime's unknown-checking proxy)", () => {
  const plan = goodPlan();

  it("the contract plan passes every policy", async () => {
    for (const policy of ALL) {
      const found = await runPolicy(policy, plan);
      assert.deepEqual(names(found), [], `${policy.name} reported on the good plan:\n${found.map((d) => d.message).join("\n")}`);
    }
  });

  describe("central-log-shipping", () => {
    it("fails a region whose log group has no subscription filter", async () => {
      await assertBlocks(centralLogShipping, without(plan, "eu-central-1-thumbnails-log-shipping"), "eu-central-1", /no subscription filter/);
    });
    it("fails a log group that never expires", async () => {
      await assertBlocks(centralLogShipping, withProps(plan, "us-east-1-canary-logs", (p) => delete p.retentionInDays), "us-east-1", /retentionInDays is not set/);
    });
    it("fails a function without its log group", async () => {
      await assertBlocks(centralLogShipping, without(plan, "us-east-1-canary-logs", "us-east-1-canary-log-shipping"), "us-east-1", /no log group/);
    });
    it("fails a residency region shipping to another jurisdiction's archive", async () => {
      const central = plan.resources.find((r) => r.name === "us-east-1-log-archive-stream")?.urn as string;
      const broken = withResource(plan, "eu-central-1-log-destination", (r) => (r.propertyDependencies.targetArn = [central]));
      await assertBlocks(centralLogShipping, broken, "eu-central-1", /residency region.*us-east-1/);
    });
    it("fails when the destination is unknown at preview and not traceable", async () => {
      const broken = withResource(plan, "us-east-1-thumbnails-log-shipping", (r) => {
        r.props.destinationArn = UNKNOWN;
        r.propertyDependencies = { logGroup: r.propertyDependencies.logGroup };
      });
      await assertBlocks(centralLogShipping, broken, "us-east-1", /destinationArn is unknown at preview/);
    });
  });

  describe("required-alarms", () => {
    it("fails an alarm without actions", async () => {
      await assertBlocks(requiredAlarms, withProps(plan, "eu-central-1-thumbnails-oom-alarm", (p) => (p.alarmActions = [])), "eu-central-1", /no alarmActions/);
    });
    it("fails an alarm without a runbook link", async () => {
      await assertBlocks(requiredAlarms, withProps(plan, "us-east-1-db-cpu-alarm", (p) => (p.alarmDescription = "CPU high")), "us-east-1", /no runbook link/);
    });
    it("fails a function missing one of its five alarms", async () => {
      await assertBlocks(requiredAlarms, without(plan, "us-east-1-canary-throttles-alarm"), "us-east-1", /tp-us-east-1-canary-throttles/);
    });
    it("fails a queue with a DLQ but no age alarm, a database without alarms and a region without canary alarm", async () => {
      await assertBlocks(requiredAlarms, without(plan, "eu-central-1-raw-events-age-alarm"), "eu-central-1", /raw-events-age/);
      await assertBlocks(requiredAlarms, without(plan, "eu-central-1-db-storage-alarm"), "eu-central-1", /db-storage/);
      await assertBlocks(requiredAlarms, without(plan, "us-east-1-canary-alarm"), "us-east-1", /no canary alarm/);
    });
    it("fails when an alarm's actions are unknown as a whole", async () => {
      await assertBlocks(requiredAlarms, withProps(plan, "us-east-1-thumbnails-errors-alarm", (p) => (p.alarmActions = UNKNOWN)), "us-east-1", /alarmActions is unknown at preview/);
    });
    it("counts actions whose ARNs are unknown at preview", async () => {
      assert.deepEqual(names(await failures(requiredAlarms, withProps(plan, "us-east-1-thumbnails-errors-alarm", (p) => (p.alarmActions = [UNKNOWN])))), []);
    });
  });

  describe("working-build", () => {
    it("fails a region whose function carries another bundle hash", async () => {
      const found = await assertBlocks(
        workingBuild,
        withProps(plan, "eu-central-1-thumbnails", (p) => ((p.tags as Record<string, string>)["pipeline:bundle-hash"] = "f".repeat(64))),
        "eu-central-1",
        /bundle hash ffffffffffff/,
      );
      assert.ok(found.every((d) => d.message.startsWith("eu-central-1:")), "only the odd region is named");
    });
    it("fails code that is not the manifest's bundle", async () => {
      const broken = withProps(plan, "us-east-1-canary", (p) => ((p.code as Record<string, string>).path = "build/canary"));
      await assertBlocks(workingBuild, broken, "us-east-1", /not the bundle dist\/canary/);
    });
    it("fails every function when the manifest is missing or stale", async () => {
      const missing = stackPolicy(workingBuildSpec, workingBuildCheck(fixtureRepo({ thumbnails: BUNDLE_HASHES.thumbnails })));
      await assertBlocks(missing, plan, "us-east-1", /does not contain/);
      const empty = stackPolicy(workingBuildSpec, workingBuildCheck(`${fixtureRepo()}/nowhere`));
      await assertBlocks(empty, plan, "eu-central-1", /manifest.json is missing/);
    });
    it("fails an unknown bundle-hash tag", async () => {
      const broken = withProps(plan, "us-east-1-thumbnails", (p) => ((p.tags as Record<string, string>)["pipeline:bundle-hash"] = UNKNOWN));
      await assertBlocks(workingBuild, broken, "us-east-1", /pipeline:bundle-hash is unknown at preview/);
    });
  });

  describe("region-parity", () => {
    it("fails a region missing a component the others have", async () => {
      await assertBlocks(regionParity, without(plan, "eu-central-1-raw-bucket-public-access"), "eu-central-1", /no raw-bucket-public-access/);
    });
    it("fails a region whose function runs another runtime", async () => {
      await assertBlocks(regionParity, withProps(plan, "us-east-1-canary", (p) => (p.timeout = 30)), "us-east-1", /canary has timeout 30/);
    });
    it("does not compare values that differ per region by design (memory)", async () => {
      assert.deepEqual(names(await failures(regionParity, withProps(plan, "us-east-1-canary", (p) => (p.memorySize = 640)))), []);
    });
  });

  describe("supporting policies", () => {
    it("queue-visibility-timeout fails a queue shorter than 6x the function timeout", async () => {
      await assertBlocks(queueVisibility, withProps(plan, "us-east-1-raw-events", (p) => (p.visibilityTimeoutSeconds = 120)), "us-east-1", /needs at least 360s/);
    });
    it("async-failure-destination fails a source queue without DLQ and an EventBridge target without one", async () => {
      await assertBlocks(asyncFailureDestination, withResource(plan, "eu-central-1-raw-events", (r) => delete r.props.redrivePolicy), "eu-central-1", /no redrivePolicy/);
      await assertBlocks(asyncFailureDestination, withProps(plan, "us-east-1-canary-schedule-target", (p) => delete p.deadLetterConfig), "us-east-1", /failures go nowhere/);
    });
    it("db-connection-budget fails concurrency above 80% of max_connections, and unbounded concurrency", async () => {
      const over = withProps(plan, "us-east-1-thumbnails-trigger", (p) => (p.scalingConfig = { maximumConcurrency: 80 }));
      await assertBlocks(connectionBudget, over, "us-east-1", /may hold 81 connections.*\(80\)/);
      await assertBlocks(connectionBudget, withProps(plan, "eu-central-1-canary", (p) => delete p.reservedConcurrentExecutions), "eu-central-1", /nothing bounds its concurrency/);
      await assertBlocks(connectionBudget, withProps(plan, "eu-central-1-db-parameters", (p) => (p.parameters = [])), "eu-central-1", /does not set max_connections/);
    });
    it("function-database-network fails without the ingress rule, and for a function outside the VPC", async () => {
      await assertBlocks(functionDatabaseNetwork, without(plan, "us-east-1-database-from-functions"), "us-east-1", /allows no ingress/);
      await assertBlocks(functionDatabaseNetwork, withProps(plan, "eu-central-1-function-to-database", (p) => (p.fromPort = p.toPort = 3306)), "eu-central-1", /no egress.*5432/);
      await assertBlocks(functionDatabaseNetwork, withResource(plan, "eu-central-1-thumbnails", (r) => delete r.propertyDependencies.vpcConfig), "eu-central-1", /no VPC security group/);
    });
    it("least-privilege-role fails a wildcard action and a missing grant", async () => {
      const wildcard = withProps(plan, "us-east-1-thumbnails-policy", (p) => (p.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] })));
      await assertBlocks(leastPrivilegeRole, wildcard, "us-east-1", /wildcard action s3:\*/);
      const missing = withProps(plan, "eu-central-1-thumbnails-policy", (p) => (p.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::elsewhere/*" }] })));
      const found = await assertBlocks(leastPrivilegeRole, missing, "eu-central-1", /does not allow s3:GetObject/);
      assert.ok(found.some((d) => /secretsmanager:GetSecretValue/.test(d.message)));
      const role = plan.resources.find((r) => r.name === "us-east-1-canary-role")?.urn as string;
      const admin = structuredClone(plan);
      admin.resources.push({ ...admin.resources[0], urn: `${role}-admin`, name: "us-east-1-canary-admin", type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", props: { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, propertyDependencies: { role: [role] }, dependencies: [role] });
      await assertBlocks(leastPrivilegeRole, admin, "us-east-1", /AWS managed policy arn:aws:iam::aws:policy\/AdministratorAccess/);
    });
    it("raw-bucket-private fails a raw bucket without a full public access block or with a public policy", async () => {
      await assertBlocks(rawBucketPrivate, withProps(plan, "us-east-1-raw-bucket-public-access", (p) => (p.blockPublicPolicy = false)), "us-east-1", /leaves blockPublicPolicy off/);
      await assertBlocks(rawBucketPrivate, without(plan, "eu-central-1-raw-bucket-public-access"), "eu-central-1", /no public access block/);
      assert.deepEqual(names(await failures(rawBucketPrivate, without(plan, "eu-central-1-thumbnails-bucket-public-access"))), [], "only the raw bucket is this policy's concern");
    });
    it("encryption-at-rest fails an unencrypted bucket, queue, log group or database", async () => {
      await assertBlocks(encryptionAtRest, without(plan, "us-east-1-thumbnails-bucket-encryption"), "us-east-1", /no server-side encryption/);
      await assertBlocks(encryptionAtRest, withProps(plan, "eu-central-1-raw-events-dlq", (p) => delete p.sqsManagedSseEnabled), "eu-central-1", /is not encrypted/);
      await assertBlocks(encryptionAtRest, withProps(plan, "eu-central-1-canary-logs", (p) => delete p.kmsKeyId), "eu-central-1", /no kmsKeyId/);
      await assertBlocks(encryptionAtRest, withProps(plan, "us-east-1-db", (p) => (p.storageEncrypted = false)), "us-east-1", /storageEncrypted/);
    });
    it("supported-runtime fails a deprecated runtime (resource-level)", async () => {
      const found = await failures(supportedRuntime, withProps(plan, "us-east-1-canary", (p) => (p.runtime = "nodejs18.x")));
      assert.deepEqual(names(found), ["supported-runtime@us-east-1-canary"]);
      assert.match(found[0].message, /nodejs18\.x, deprecated by AWS on 2025-09-01/);
    });
    it("memory-cap fails memory above the remediation cap", async () => {
      await assertBlocks(memoryCap, withProps(plan, "eu-central-1-thumbnails", (p) => (p.memorySize = 1536)), "eu-central-1", /1536 MB, above the remediation cap 1024 MB/);
    });
  });

  describe("waivers", () => {
    const broken = without(plan, "eu-central-1-thumbnails-log-shipping");
    const waiver = { resource: "eu-central-1-thumbnails-logs", reason: "archive migration", expires: "2999-01-01", ticket: "OPS-1" };

    it("an active waiver turns only its policy's finding on its resource into an advisory note", async () => {
      const found = await runPolicy(centralLogShipping, broken, { waivers: [waiver] });
      assert.deepEqual(blocking(found), []);
      assert.equal(found.length, 1);
      assert.equal(found[0].enforcementLevel, "advisory");
      assert.match(found[0].message, /^\[waived\] until 2999-01-01 \(OPS-1\), archive migration: eu-central-1:/);
      const other = without(broken, "us-east-1-canary-log-shipping");
      assert.deepEqual(names(blocking(await runPolicy(centralLogShipping, other, { waivers: [waiver] }))), ["central-log-shipping@us-east-1-canary-logs"]);
    });

    it("an expired waiver suppresses nothing and is a valid-waivers violation naming its region's resource", async () => {
      const found = blocking(await runPolicy(centralLogShipping, broken, { waivers: [{ ...waiver, expires: "2020-01-31" }] }));
      assert.deepEqual(names(found).sort(), ["central-log-shipping@eu-central-1-thumbnails-logs", "valid-waivers@eu-central-1-thumbnails-logs"]);
      assert.match(found.find((d) => d.policy === "valid-waivers")?.message ?? "", /expired on 2020-01-31/);
    });

    it("a waiver without reason or expiry is a valid-waivers violation, also for resource-level policies", async () => {
      const found = blocking(await runPolicy(supportedRuntime, plan, { waivers: [{ resource: "*-canary" }] }));
      assert.deepEqual(names(found), ["valid-waivers@(stack)"]);
      assert.match(found[0].message, /has no `reason`, has no `expires` date/);
    });
  });

  it("every policy documents itself: description, severity, remediation and its docs section", () => {
    for (const p of POLICIES) {
      assert.ok(p.description && p.severity && p.remediationSteps, p.name);
      assert.equal(p.url, `https://github.com/example-org/thumbnail-pipeline/blob/main/docs/policies.md#${p.name}`);
    }
  });
});
