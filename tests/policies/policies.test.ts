// Each policy of the pack on the fixture (a small two-region program written
// with none of this repository's names), through the runtime's unknown-checking
// proxy: the fixture passes with its config, and each way of breaking a rule
// fails the policy that guards it, naming the region.
import { strict as assert } from "node:assert";
import type { Policy } from "@pulumi/policy";
import { requiredAlarms } from "../../policies/alarms";
import { workingBuild } from "../../policies/build";
import { POLICIES } from "../../policies/catalog";
import { connectionBudget } from "../../policies/database";
import { encryptionAtRest } from "../../policies/encryption";
import { leastPrivilegeRole } from "../../policies/iam";
import { centralLogShipping } from "../../policies/logging";
import { noRecursiveTrigger } from "../../policies/loops";
import { functionDatabaseNetwork } from "../../policies/network";
import { regionParity } from "../../policies/parity";
import { asyncFailureDestination, queueVisibility } from "../../policies/queues";
import { memoryCap, supportedRuntime } from "../../policies/runtime";
import { accessLogging, privateBuckets } from "../../policies/storage";
import { docsUrl } from "../../policies/support/docs";
import type { Json, PlanFile } from "../../toolchain/plan/plan-stack";
import { ARCHIVE_HASHES, beside, configFor, goodPlan, UNKNOWN, withAdded, withProps, withResource, without } from "./fixture";
import { blocking, names, runPolicy, type Diagnostic } from "./harness";

async function failures(policy: Policy, plan: PlanFile, config: Record<string, unknown> = configFor(policy.name)): Promise<Diagnostic[]> {
  return blocking(await runPolicy(policy, plan, config));
}

/** Asserts the policy blocks, with a finding naming the region and matching the text. */
async function assertBlocks(policy: Policy, plan: PlanFile, region: string, text: RegExp, config?: Record<string, unknown>): Promise<Diagnostic[]> {
  const found = await failures(policy, plan, config);
  assert.ok(found.length > 0, `${policy.name} did not block`);
  assert.ok(
    found.some((d) => d.policy === policy.name && d.message.includes(`${region}`) && text.test(d.message)),
    `${policy.name}: expected a finding for ${region} matching ${text}, got:\n${found.map((d) => d.message).join("\n")}`,
  );
  return found;
}

async function assertPasses(policy: Policy, plan: PlanFile, config?: Record<string, unknown>): Promise<void> {
  const found = await failures(policy, plan, config);
  assert.deepEqual(names(found), [], found.map((d) => d.message).join("\n"));
}

const fn = (plan: PlanFile, name: string) => beside(plan, name);

describe("snowflake-guard policies (through the runtime's unknown-checking proxy)", () => {
  const plan = goodPlan();

  it("the fixture passes every policy with its config", async () => {
    for (const policy of POLICIES) {
      const found = await runPolicy(policy, plan, configFor(policy.name));
      assert.deepEqual(names(found), [], `${policy.name} reported on the good plan:\n${found.map((d) => d.message).join("\n")}`);
    }
  });

  describe("central-log-shipping", () => {
    it("fails a function's log group without a subscription filter", async () => {
      await assertBlocks(
        centralLogShipping,
        without(plan, "eu-central-1-thumbnails-log-shipping"),
        "eu-central-1",
        /\/aws\/lambda\/tp-eu-central-1-thumbnails \(function .*\) has no subscription filter/,
      );
    });
    it("fails a log group that never expires", async () => {
      await assertBlocks(
        centralLogShipping,
        withProps(plan, "us-east-1-canary-logs", (p) => delete p.retentionInDays),
        "us-east-1",
        /retentionInDays is not set/,
      );
    });
    it("fails a function whose implicit /aws/lambda/<name> group ships nowhere", async () => {
      const broken = withResource(without(plan, "us-east-1-canary-logs", "us-east-1-canary-log-shipping"), "us-east-1-canary", (r) => {
        delete r.props.loggingConfig;
        delete r.propertyDependencies.loggingConfig;
      });
      await assertBlocks(centralLogShipping, broken, "us-east-1", /\/aws\/lambda\/tp-us-east-1-canary .*no subscription filter.*not declared in the stack/);
    });
    it("accepts an implicit group that a filter names", async () => {
      const implicit = withResource(
        without(plan, "us-east-1-canary-logs"),
        "us-east-1-canary-log-shipping",
        (r) => (r.propertyDependencies = { destinationArn: r.propertyDependencies.destinationArn }),
      );
      await assertPasses(
        centralLogShipping,
        withResource(implicit, "us-east-1-canary", (r) => delete r.propertyDependencies.loggingConfig),
      );
    });
    it("fails a region shipping to an archive of another jurisdiction", async () => {
      const central = plan.resources.find((r) => r.name === "us-east-1-log-archive-stream")?.urn as string;
      const broken = withResource(plan, "eu-central-1-log-destination", (r) => (r.propertyDependencies.targetArn = [central]));
      await assertBlocks(
        centralLogShipping,
        broken,
        "eu-central-1",
        /is in jurisdiction eu but ships to arn:aws:firehose:us-east-1:\*:deliverystream\/tp-us-east-1-log-archive, a destination for us/,
      );
    });
    it("takes the jurisdictions an approved destination serves from the config", async () => {
      const central = plan.resources.find((r) => r.name === "us-east-1-log-archive-stream")?.urn as string;
      const broken = withResource(plan, "eu-central-1-log-destination", (r) => (r.propertyDependencies.targetArn = [central]));
      const approved = [
        { arn: "arn:aws:firehose:us-east-1:*:deliverystream/*-log-archive", jurisdictions: ["us", "eu"] },
        { arn: "arn:aws:firehose:eu-west-1:*:deliverystream/*" },
      ];
      await assertPasses(centralLogShipping, broken, { approvedDestinations: approved });
      const onlyUs = [{ arn: "arn:aws:firehose:us-east-1:*:deliverystream/*-log-archive" }];
      await assertBlocks(centralLogShipping, plan, "eu-central-1", /not an approved log destination/, { approvedDestinations: onlyUs });
      // Jurisdictions are the built-in geography unless the config maps a region otherwise.
      await assertBlocks(centralLogShipping, plan, "eu-central-1", /is in jurisdiction ch but ships to .*eu-west-1.*a destination for eu/, {
        jurisdictions: { "eu-central-1": "ch" },
      });
      await assertPasses(centralLogShipping, plan, { jurisdictions: { "eu-central-1": "ch", "eu-west-1": "ch" } });
    });
    it("fails a filter that ships somewhere that is no log destination", async () => {
      const sg = plan.resources.find((r) => r.name === "eu-central-1-function-sg")?.urn as string;
      await assertBlocks(
        centralLogShipping,
        withResource(plan, "eu-central-1-canary-log-shipping", (r) => (r.propertyDependencies.destinationArn = [sg])),
        "eu-central-1",
        /is not a log destination/,
      );
    });
    it("fails when the destination is unknown at preview and not traceable", async () => {
      const broken = withResource(plan, "us-east-1-thumbnails-log-shipping", (r) => (r.propertyDependencies = { logGroup: r.propertyDependencies.logGroup }));
      await assertBlocks(centralLogShipping, broken, "us-east-1", /destinationArn is unknown at preview/);
    });
    it("covers ECS containers, API access logs, RDS exports, state machines and flow logs", async () => {
      const at = fn(plan, "us-east-1-thumbnails");
      const base = { parent: at.parent, provider: at.provider, region: at.region, propertyDependencies: {} };
      const containers = JSON.stringify([
        {
          name: "web",
          image: "web@sha256:" + "1".repeat(64),
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1" } },
        },
        { name: "sidecar", image: "side@sha256:" + "2".repeat(64) },
      ]);
      let broken = withAdded(plan, {
        ...base,
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: "web-task",
        props: { family: "web", containerDefinitions: containers },
      });
      broken = withAdded(broken, { ...base, type: "aws:apigateway/stage:Stage", name: "api-stage", props: { stageName: "prod" } });
      broken = withAdded(broken, {
        ...base,
        type: "aws:rds/instance:Instance",
        name: "reports-db",
        props: { identifier: "reports", storageEncrypted: true, enabledCloudwatchLogsExports: ["postgresql"] },
      });
      broken = withAdded(broken, {
        ...base,
        type: "aws:sfn/stateMachine:StateMachine",
        name: "flow",
        props: { loggingConfiguration: { level: "ALL", logDestination: "arn:aws:logs:us-east-1:123456789012:log-group:/sfn/flow:*" } },
      });
      broken = withAdded(broken, {
        ...base,
        type: "aws:ec2/flowLog:FlowLog",
        name: "vpc-flow",
        props: { logDestination: "arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow", trafficType: "ALL" },
      });
      const found = (await failures(centralLogShipping, broken)).map((d) => d.message.split("\n")[0]);
      for (const text of [
        /\/ecs\/web \(container web of task web-task\) has no subscription filter/,
        /container sidecar of web-task .* has no logConfiguration/,
        /API stage api-stage .* has no accessLogSettings/,
        /\/aws\/rds\/instance\/reports\/postgresql .* has no subscription filter/,
        /\/sfn\/flow \(state machine flow\) has no subscription filter/,
        /\/vpc\/flow \(VPC flow log vpc-flow\) has no subscription filter/,
      ]) {
        assert.ok(
          found.some((m) => m.startsWith("us-east-1:") && text.test(m)),
          `${text} not in:\n${found.join("\n")}`,
        );
      }
    });
  });

  describe("required-alarms", () => {
    it("fails an alarm without actions, and one without a runbook link unless the config lets it", async () => {
      await assertBlocks(
        requiredAlarms,
        withProps(plan, "eu-central-1-thumbnails-errors-alarm", (p) => (p.alarmActions = [])),
        "eu-central-1",
        /no alarmActions/,
      );
      const noRunbook = withProps(plan, "us-east-1-db-cpu-alarm", (p) => (p.alarmDescription = "CPU high"));
      await assertBlocks(requiredAlarms, noRunbook, "us-east-1", /no runbook link/);
      await assertPasses(requiredAlarms, noRunbook, configFor("required-alarms", { requireRunbookLink: false }));
    });
    it("fails a function missing its throttles alarm, matched by namespace, metric and dimension, not by alarm name", async () => {
      await assertBlocks(
        requiredAlarms,
        without(plan, "us-east-1-canary-throttles-alarm"),
        "us-east-1",
        /function tp-us-east-1-canary has no alarm for throttles \(AWS\/Lambda Throttles \(FunctionName=tp-us-east-1-canary\)\)/,
      );
      const renamed = withProps(plan, "us-east-1-canary-throttles-alarm", (p) => (p.name = "whatever-the-team-calls-it"));
      await assertPasses(requiredAlarms, renamed);
      const otherFunction = withProps(plan, "us-east-1-canary-throttles-alarm", (p) => (p.dimensions = { FunctionName: "tp-us-east-1-thumbnails" }));
      await assertBlocks(requiredAlarms, otherFunction, "us-east-1", /tp-us-east-1-canary has no alarm for throttles/);
    });
    it("fails a duration alarm whose threshold is not below the timeout", async () => {
      await assertBlocks(
        requiredAlarms,
        withProps(plan, "us-east-1-thumbnails-duration-alarm", (p) => (p.threshold = 60_000)),
        "us-east-1",
        /threshold 60000 ms, not below its 60 s timeout/,
      );
    });
    it("fails a dead-letter queue without depth or age alarms, and a database without its alarms", async () => {
      await assertBlocks(
        requiredAlarms,
        without(plan, "eu-central-1-upload-events-dlq-age-alarm"),
        "eu-central-1",
        /dead-letter queue tp-eu-central-1-upload-events-dlq has no alarm for age/,
      );
      await assertBlocks(
        requiredAlarms,
        without(plan, "eu-central-1-db-storage-alarm"),
        "eu-central-1",
        /database tp-eu-central-1-db has no alarm for storage \(AWS\/RDS FreeStorageSpace/,
      );
    });
    it("requires what the config adds: per class and per region; a class can be switched off", async () => {
      await assertBlocks(requiredAlarms, without(plan, "us-east-1-canary-alarm"), "us-east-1", /the region has no canary alarm \(Fixture CanarySuccess\)/);
      const memory = { classes: { lambda: { alarms: { memory: { metrics: [{ namespace: "Fixture/{name}", metricName: "MaxMemoryUsedMB" }] } } } } };
      await assertBlocks(
        requiredAlarms,
        plan,
        "us-east-1",
        /has no alarm for memory \(Fixture\/tp-us-east-1-thumbnails MaxMemoryUsedMB\)/,
        configFor("required-alarms", memory),
      );
      await assertPasses(
        requiredAlarms,
        without(plan, "us-east-1-db-cpu-alarm"),
        configFor("required-alarms", { classes: { "rds-instance": { enabled: false } } }),
      );
      await assertPasses(
        requiredAlarms,
        without(plan, "us-east-1-db-cpu-alarm"),
        configFor("required-alarms", { classes: { "rds-instance": { alarms: { cpu: null } } } }),
      );
    });
    it("refuses a misspelled setting, with what it probably meant", async () => {
      const found = await failures(requiredAlarms, plan, { requireRunbookLnk: false });
      assert.match(found[0]?.message ?? "", /required-alarms\.requireRunbookLnk is not a setting of required-alarms.*\(did you mean "requireRunbookLink"\?\)/);
    });
    it("fails when an alarm's actions are unknown as a whole, but counts actions whose ARNs are unknown", async () => {
      await assertBlocks(
        requiredAlarms,
        withProps(plan, "us-east-1-thumbnails-errors-alarm", (p) => (p.alarmActions = UNKNOWN)),
        "us-east-1",
        /alarmActions is unknown at preview/,
      );
      await assertPasses(
        requiredAlarms,
        withProps(plan, "us-east-1-thumbnails-errors-alarm", (p) => (p.alarmActions = [UNKNOWN])),
      );
    });
  });

  describe("working-build", () => {
    it("fails an archive whose engine hash no build manifest lists, with a hint when the folder has an artifact's name", async () => {
      const broken = withProps(plan, "eu-central-1-thumbnails", (p) => ((p.code as Record<string, string>).hash = "f".repeat(64)));
      const found = await assertBlocks(
        workingBuild,
        broken,
        "eu-central-1",
        /deploys build\/thumbnails with content hash ffffffffffff, which is no artifact .*fixture\/thumbnails is aaaaaaaaaaaa: the archive on disk is not what that build produced/,
      );
      assert.deepEqual(names(found), ["working-build@eu-central-1-thumbnails"], "only the odd region is named");
    });
    it("fails every function when no manifest was given, and an archive the engine sent without a hash", async () => {
      await assertBlocks(workingBuild, plan, "us-east-1", /no build manifest was given to the pack/, {});
      await assertBlocks(
        workingBuild,
        withProps(plan, "us-east-1-canary", (p) => delete (p.code as Record<string, string>).hash),
        "us-east-1",
        /without the content hash the engine computes/,
      );
    });
    it("names closure-serialized code in terms a team can act on", async () => {
      const closure = withProps(plan, "us-east-1-canary", (p) => {
        p.code = {
          "4dabf18193072939515e22adb298388d": "0def7320c3a5731c473e5ecbe6d01bc7",
          hash: "e".repeat(64),
          assets: { "__index.js": { "4dabf18193072939515e22adb298388d": "c44067f5952c0a294b673a41bacd8c17", text: "exports.handler = __f0;" } },
        };
        p.handler = "__index.handler";
      });
      await assertBlocks(workingBuild, closure, "us-east-1", /serialized from its own memory .*CallbackFunction.*nothing built it.*FileArchive/);
    });
    it("accepts an S3 object pinned by version and an image pinned by digest, and refuses them unpinned", async () => {
      const s3 = withProps(plan, "us-east-1-canary", (p) => {
        delete p.code;
        Object.assign(p, { s3Bucket: "artifacts", s3Key: "canary.zip", s3ObjectVersion: "v1" });
      });
      const image = (uri: string) =>
        withProps(plan, "us-east-1-canary", (p) => {
          delete p.code;
          Object.assign(p, { packageType: "Image", imageUri: uri });
        });
      const pinned = [s3, image(`123456789012.dkr.ecr.us-east-1.amazonaws.com/canary@sha256:${"b".repeat(64)}`)];
      for (const p of pinned) assert.deepEqual(names(await failures(workingBuild, without(p, "eu-central-1-canary"))), []);
      await assertBlocks(
        workingBuild,
        withProps(s3, "us-east-1-canary", (p) => delete p.s3ObjectVersion),
        "us-east-1",
        /without s3ObjectVersion/,
      );
      await assertBlocks(workingBuild, image("123456789012.dkr.ecr.us-east-1.amazonaws.com/canary:latest"), "us-east-1", /not pinned by digest/);
    });
    it("fails a region running another listed artifact than the others, naming both on a tie", async () => {
      const config = configFor("working-build", {
        builds: [
          {
            name: "fixture",
            artifacts: {
              thumbnails: { archiveHash: ARCHIVE_HASHES.thumbnails },
              canary: { archiveHash: ARCHIVE_HASHES.canary },
              older: { archiveHash: "d".repeat(64) },
            },
          },
        ],
      });
      const drifted = withProps(plan, "us-east-1-canary", (p) => ((p.code as Record<string, string>).hash = "d".repeat(64)));
      const found = await failures(workingBuild, drifted, config);
      assert.deepEqual(names(found), ["working-build@eu-central-1-canary"]);
      assert.match(
        found[0].message,
        /^eu-central-1 \/ us-east-1: .*eu-central-1-canary .* runs archive cccccccccccc in eu-central-1; .*us-east-1-canary .* runs archive dddddddddddd in us-east-1; the regions are tied/,
      );
      const waiveEither = { ...config, waivers: [{ resource: "us-east-1-canary", reason: "rollout", expires: "2999-01-01" }] };
      assert.deepEqual(names(await failures(workingBuild, drifted, waiveEither)), [], "a waiver of either resource covers the tie");
      const three = goodPlan(["us-east-1", "eu-central-1", "us-west-2"]);
      const odd = withProps(three, "us-west-2-canary", (p) => ((p.code as Record<string, string>).hash = "d".repeat(64)));
      assert.deepEqual(names(await failures(workingBuild, odd, config)), ["working-build@us-west-2-canary"], "with a majority only the odd region");
    });
    it("compares S3 code across regions by key and version: each region's own bucket may hold the replicated release", async () => {
      const fromS3 = (on: PlanFile, region: string, key: string, version: string) =>
        withProps(on, `${region}-canary`, (p) => {
          delete p.code;
          Object.assign(p, { s3Bucket: `artifacts-${region}`, s3Key: key, s3ObjectVersion: version });
        });
      const replicated = fromS3(fromS3(plan, "us-east-1", "canary/1.4.0.zip", "v7"), "eu-central-1", "canary/1.4.0.zip", "v7");
      await assertPasses(workingBuild, replicated);
      const otherRelease = fromS3(replicated, "eu-central-1", "canary/1.3.9.zip", "v7");
      const found = await failures(workingBuild, otherRelease);
      assert.deepEqual(names(found), ["working-build@eu-central-1-canary"]);
      assert.match(
        found[0].message,
        /^eu-central-1 \/ us-east-1: .*eu-central-1-canary .* runs s3:\/\/artifacts-eu-central-1\/canary\/1\.3\.9\.zip@v7 in eu-central-1; .*us-east-1-canary .* runs s3:\/\/artifacts-us-east-1\/canary\/1\.4\.0\.zip@v7 in us-east-1; the regions are tied/,
      );
      assert.deepEqual(
        names(await failures(workingBuild, fromS3(replicated, "eu-central-1", "canary/1.4.0.zip", "v8"))),
        ["working-build@eu-central-1-canary"],
        "another version of the key is other code",
      );
    });
    it("fails ECS containers whose images are not pinned by digest", async () => {
      const at = fn(plan, "us-east-1-thumbnails");
      const task = withAdded(plan, {
        parent: at.parent,
        provider: at.provider,
        region: at.region,
        propertyDependencies: {},
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: "web-task",
        props: { containerDefinitions: JSON.stringify([{ name: "web", image: "nginx:1.27" }]) },
      });
      await assertBlocks(workingBuild, task, "us-east-1", /container web .* runs image nginx:1\.27, which is not pinned by digest/);
    });
  });

  describe("region-parity", () => {
    it("fails a region missing a part the others have, on its counterpart of what the part belongs to, naming the other region's part on a tie", async () => {
      const found = await assertBlocks(
        regionParity,
        without(plan, "eu-central-1-uploads-bucket-public-access"),
        "eu-central-1",
        /^eu-central-1 \/ us-east-1: eu-central-1-uploads-bucket \(aws:s3\/bucket:Bucket\) lacks its counterpart of us-east-1-uploads-bucket-public-access \(aws:s3\/bucketPublicAccessBlock:BucketPublicAccessBlock\), which us-east-1-uploads-bucket has in us-east-1 \(us-east-1-uploads-bucket ← us-east-1-uploads-bucket-public-access\.bucket\); aws:s3\/bucketPublicAccessBlock:BucketPublicAccessBlock \*-uploads-bucket-public-access: 0 in eu-central-1; 1 in us-east-1; the regions are tied/,
      );
      assert.deepEqual(names(found), ["region-parity@eu-central-1-uploads-bucket"], "carried by the bucket that lacks its public access block");
      const waived = await failures(regionParity, without(plan, "eu-central-1-uploads-bucket-public-access"), {
        waivers: [{ resource: "us-east-1-uploads-bucket-public-access", reason: "migration", expires: "2999-01-01" }],
      });
      assert.deepEqual(names(waived), [], "a waiver of the healthy region's part covers it");
    });
    it("carries a missing DLQ and its alarms on the queue that lacks them, by the references between them", async () => {
      let drift = without(plan, "eu-central-1-upload-events-dlq", "eu-central-1-upload-events-dlq-depth-alarm", "eu-central-1-upload-events-dlq-age-alarm");
      drift = withResource(drift, "eu-central-1-upload-events", (r) => {
        delete r.props.redrivePolicy;
        delete r.propertyDependencies.redrivePolicy;
      });
      const found = await failures(regionParity, drift);
      assert.deepEqual(
        names(found),
        ["region-parity@eu-central-1-upload-events", "region-parity@eu-central-1-upload-events", "region-parity@eu-central-1-upload-events"],
        found.map((d) => d.message).join("\n"),
      );
      const text = found.map((d) => d.message.split("\n")[0]).sort();
      assert.match(
        text[0],
        /^eu-central-1 \/ us-east-1: eu-central-1-upload-events \(aws:sqs\/queue:Queue\) lacks its counterpart of us-east-1-upload-events-dlq \(aws:sqs\/queue:Queue\), which us-east-1-upload-events has in us-east-1 \(us-east-1-upload-events\.redrivePolicy → us-east-1-upload-events-dlq\)/,
      );
      assert.match(
        text[1],
        /lacks its counterpart of us-east-1-upload-events-dlq-age-alarm .*\(us-east-1-upload-events\.redrivePolicy → us-east-1-upload-events-dlq ← us-east-1-upload-events-dlq-age-alarm\.dimensions\)/,
      );
      assert.match(text[2], /lacks its counterpart of us-east-1-upload-events-dlq-depth-alarm /);
    });
    it("names the minority region when there is a majority, on the resource the missing alarm would watch", async () => {
      const three = goodPlan(["us-east-1", "eu-central-1", "us-west-2"]);
      const found = await failures(regionParity, without(three, "us-west-2-canary-throttles-alarm"));
      assert.ok(
        found.some((d) =>
          /^us-west-2: has no aws:cloudwatch\/metricAlarm:MetricAlarm \*-canary-throttles-alarm, but 1 in eu-central-1, us-east-1: us-west-2-canary \(aws:lambda\/function:Function\) lacks its counterpart of eu-central-1-canary-throttles-alarm .*\(eu-central-1-canary ← eu-central-1-canary-throttles-alarm\.dimensions\)/.test(
            d.message,
          ),
        ),
        found.map((d) => d.message).join("\n"),
      );
      assert.deepEqual(names(found), ["region-parity@us-west-2-canary"]);
    });
    it("compares the settings that matter: runtime, timeout, memory, retention, encryption, alarms, log shipping, DLQs", async () => {
      const three = goodPlan(["us-east-1", "eu-central-1", "us-west-2"]);
      const cases: [PlanFile, RegExp][] = [
        [withProps(three, "us-west-2-canary", (p) => (p.timeout = 30)), /us-west-2-canary .* has timeout 30 here, but 60 in eu-central-1, us-east-1/],
        [withProps(three, "us-west-2-canary", (p) => (p.runtime = "nodejs20.x")), /has runtime "nodejs20.x" here/],
        [withProps(three, "us-west-2-canary", (p) => (p.memorySize = 1024)), /has memorySize 1024 here/],
        [withProps(three, "us-west-2-canary-logs", (p) => (p.retentionInDays = 3)), /has retentionInDays 3 here/],
        [withProps(three, "us-west-2-upload-events", (p) => delete p.sqsManagedSseEnabled), /has encryption false here/],
        [
          withProps(three, "us-west-2-canary-throttles-alarm", (p) => (p.dimensions = { FunctionName: "somebody-else" })),
          /us-west-2-canary .* has alarms .* here/,
        ],
        [
          withResource(three, "us-west-2-canary-log-shipping", (r) => {
            r.props.logGroup = "/aws/lambda/some-other-group";
            r.propertyDependencies.logGroup = [];
          }),
          /has logShipping false here/,
        ],
        [withProps(three, "us-west-2-upload-events", (p) => delete p.redrivePolicy), /has deadLetter false here/],
      ];
      for (const [i, [broken, text]] of cases.entries()) {
        assert.ok(
          await failures(regionParity, broken).then((f) => f.some((d) => d.message.startsWith("us-west-2:") && text.test(d.message))),
          `case ${i + 1}: ${text}:\n${(await failures(regionParity, broken)).map((d) => d.message.split("\n")[0]).join("\n")}`,
        );
      }
    });
    it("leaves out a setting the config says differs on purpose", async () => {
      const bigger = withProps(plan, "us-east-1-canary", (p) => (p.memorySize = 640));
      await assertBlocks(regionParity, bigger, "us-east-1", /memorySize/);
      await assertPasses(regionParity, bigger, { ignoreProperties: { "aws:lambda/function:Function": ["memorySize"] } });
      const found = await failures(regionParity, plan, { ignoreProperties: { "aws:lambda/function:Function": ["memory"] } });
      assert.match(found[0]?.message ?? "", /names memory, which region-parity does not compare/);
    });
    it("compares families among the regions that have them: an archive in two regions is not a missing part of the others", async () => {
      await assertPasses(regionParity, plan);
    });
    it("takes a region from the default provider's config when a resource names no provider region", async () => {
      const previous = process.env.PULUMI_CONFIG;
      process.env.PULUMI_CONFIG = JSON.stringify({ "aws:region": "us-east-1" });
      try {
        const defaulted = structuredClone(plan);
        const provider = defaulted.resources.find((r) => r.name === "aws-us-east-1");
        if (provider) provider.props = {};
        await assertPasses(regionParity, defaulted);
        const found = await failures(regionParity, without(defaulted, "us-east-1-canary-throttles-alarm"));
        assert.ok(
          found.some((d) => /^us-east-1 \/ eu-central-1: .*canary-throttles-alarm/.test(d.message)),
          found.map((d) => d.message).join("\n"),
        );
      } finally {
        if (previous === undefined) delete process.env.PULUMI_CONFIG;
        else process.env.PULUMI_CONFIG = previous;
      }
    });
  });

  describe("least-privilege-role", () => {
    it("fails a wildcard action and NotAction in an inline policy", async () => {
      const wildcard = withProps(
        plan,
        "us-east-1-thumbnails-policy",
        (p) => (p.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] })),
      );
      await assertBlocks(
        leastPrivilegeRole,
        wildcard,
        "us-east-1",
        /inline policy us-east-1-thumbnails-policy \(role us-east-1-thumbnails-role\) allows wildcard action s3:\*/,
      );
      const notAction = withProps(
        plan,
        "us-east-1-canary-policy",
        (p) => (p.policy = JSON.stringify({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] })),
      );
      await assertBlocks(leastPrivilegeRole, notAction, "us-east-1", /uses NotAction/);
    });
    it("reads attached customer-managed policies of the stack and refuses broad AWS managed ones", async () => {
      const role = fn(plan, "us-east-1-canary-role");
      const base = { parent: role.parent, provider: role.provider, region: role.region };
      let attached = withAdded(plan, {
        ...base,
        type: "aws:iam/policy:Policy",
        name: "everything",
        props: { name: "everything", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
        propertyDependencies: {},
      });
      const policyUrn = attached.resources[attached.resources.length - 1].urn;
      attached = withAdded(attached, {
        ...base,
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "canary-everything",
        props: { role: "tp-us-east-1-canary", policyArn: UNKNOWN },
        propertyDependencies: { role: [role.urn], policyArn: [policyUrn] },
      });
      await assertBlocks(leastPrivilegeRole, attached, "us-east-1", /attached policy everything \(role us-east-1-canary-role\) allows wildcard action \*/);
      const basic = withAdded(plan, {
        ...base,
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "canary-basic",
        props: { role: "tp-us-east-1-canary", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
        propertyDependencies: { role: [role.urn] },
      });
      await assertPasses(leastPrivilegeRole, basic);
    });
    describe("what attached AWS managed policies grant", () => {
      const role = fn(plan, "eu-central-1-thumbnails-role");
      const attach = (on: PlanFile, name: string, arn: string) =>
        withAdded(on, {
          parent: role.parent,
          provider: role.provider,
          region: role.region,
          type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          name,
          props: { role: "tp-eu-central-1-thumbnails", policyArn: arn },
          propertyDependencies: { role: [role.urn] },
        });
      // The inline policy no longer reads the uploads: only an attached managed policy can.
      const noRead = withProps(plan, "eu-central-1-thumbnails-policy", (p) => {
        const doc = JSON.parse(p.policy as string) as { Statement: { Action: string[] }[] };
        doc.Statement = doc.Statement.filter((st) => !st.Action.includes("s3:GetObject"));
        p.policy = JSON.stringify(doc);
      });
      const MISSING_READ = /does not allow s3:GetObject on arn:aws:s3:::tp-eu-central-1-uploads-123456789012\/uploads\/\*/;

      it("count for what a function needs: a narrow one passes, a broad one is only the broad finding", async () => {
        await assertBlocks(leastPrivilegeRole, noRead, "eu-central-1", MISSING_READ);
        await assertPasses(leastPrivilegeRole, attach(noRead, "thumbnails-s3-read", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
        for (const broad of ["AmazonS3FullAccess", "PowerUserAccess", "AdministratorAccess"]) {
          const found = await failures(leastPrivilegeRole, attach(noRead, "thumbnails-broad", `arn:aws:iam::aws:policy/${broad}`));
          assert.deepEqual(
            names(found),
            ["least-privilege-role@thumbnails-broad"],
            `${broad} grants the read, so only its breadth is a finding:\n${found.map((d) => d.message).join("\n")}`,
          );
        }
      });
      it("also through managedPolicyArns, in another partition", async () => {
        const inline = withProps(noRead, "eu-central-1-thumbnails-role", (p) => (p.managedPolicyArns = ["arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess"]));
        await assertPasses(leastPrivilegeRole, inline);
      });
      it("name a managed policy whose grants the pack does not know, and take its document from the config", async () => {
        const unknown = attach(noRead, "thumbnails-outposts", "arn:aws:iam::aws:policy/AmazonS3OutpostsReadOnlyAccess");
        await assertBlocks(
          leastPrivilegeRole,
          unknown,
          "eu-central-1",
          /does not allow s3:GetObject .*; its AWS managed policy arn:aws:iam::aws:policy\/AmazonS3OutpostsReadOnlyAccess may, but the pack does not know what it allows: give its document in least-privilege-role\.awsManagedPolicies/,
        );
        const taught = {
          awsManagedPolicies: {
            AmazonS3OutpostsReadOnlyAccess: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" }] },
          },
        };
        await assertPasses(leastPrivilegeRole, unknown, taught);
        const found = await failures(leastPrivilegeRole, unknown, { awsManagedPolicies: { AmazonS3OutpostsReadOnlyAccess: { Statement: "s3:Get*" } } });
        assert.match(found[0]?.message ?? "", /awsManagedPolicies\.AmazonS3OutpostsReadOnlyAccess is not a policy document/);
      });
    });
    describe("broad AWS managed policies", () => {
      const role = fn(plan, "us-east-1-canary-role");
      const attach = (arn: string) =>
        withAdded(plan, {
          parent: role.parent,
          provider: role.provider,
          region: role.region,
          type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          name: "canary-managed",
          props: { role: "tp-us-east-1-canary", policyArn: arn },
          propertyDependencies: { role: [role.urn] },
        });
      const aws = (name: string, partition = "aws") => `arn:${partition}:iam::aws:policy/${name}`;
      const BROAD = [
        "AdministratorAccess",
        "AdministratorAccess-Amplify",
        "job-function/SystemAdministrator",
        "AWSCodeArtifactAdminAccess",
        "PowerUserAccess",
        "AmazonCognitoPowerUser",
        "AWSKeyManagementServicePowerUser",
        "AmazonS3FullAccess",
        "AWSLambda_FullAccess",
        "CloudWatchFullAccessV2",
        "AmazonDynamoDBFullAccess_v2",
        "ReadOnlyAccess",
        "SecretsManagerReadWrite",
      ];
      const NARROW = [
        "service-role/AWSLambdaBasicExecutionRole",
        "service-role/AWSLambdaVPCAccessExecutionRole",
        "service-role/AWSLambdaSQSQueueExecutionRole",
        "AWSXrayWriteOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "CloudWatchLambdaInsightsExecutionRolePolicy",
      ];

      it("refuses the whole family by pattern: *FullAccess* (V2, _v2), *PowerUser*, *Admin*, the account-wide ReadOnlyAccess and SecretsManagerReadWrite, in any partition", async () => {
        for (const name of BROAD) {
          const found = await failures(leastPrivilegeRole, attach(aws(name)));
          assert.deepEqual(names(found), ["least-privilege-role@canary-managed"], `${name}:\n${found.map((d) => d.message).join("\n")}`);
          assert.match(
            found[0].message,
            new RegExp(`^us-east-1: role us-east-1-canary-role has the broad AWS managed policy ${aws(name).replace(/[/.]/g, "\\$&")}`),
          );
        }
        await assertBlocks(
          leastPrivilegeRole,
          attach(aws("CloudWatchFullAccessV2", "aws-us-gov")),
          "us-east-1",
          /broad AWS managed policy arn:aws-us-gov:iam::aws:policy\/CloudWatchFullAccessV2/,
        );
      });
      it("passes the narrow ones a function commonly needs", async () => {
        for (const name of NARROW) await assertPasses(leastPrivilegeRole, attach(aws(name)));
      });
      it("takes the list from the config, and exempts what the config allows", async () => {
        await assertPasses(leastPrivilegeRole, attach(aws("AmazonS3FullAccess")), { broadManagedPolicies: ["arn:aws*:iam::aws:policy/AdministratorAccess"] });
        await assertBlocks(leastPrivilegeRole, attach(aws("AmazonS3ReadOnlyAccess")), "us-east-1", /broad AWS managed policy .*AmazonS3ReadOnlyAccess/, {
          broadManagedPolicies: ["arn:aws*:iam::aws:policy/*ReadOnlyAccess"],
        });
        await assertPasses(leastPrivilegeRole, attach(aws("AWSCodeArtifactAdminAccess")), {
          allowedManagedPolicies: ["arn:aws*:iam::aws:policy/AWSCodeArtifactAdminAccess"],
        });
        await assertBlocks(leastPrivilegeRole, attach(aws("AWSCodeArtifactAdminAccess")), "us-east-1", /broad AWS managed policy/, {
          allowedManagedPolicies: ["arn:aws*:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"],
        });
      });
    });
    it("fails a function that cannot read the objects that trigger it, or its secret", async () => {
      const missing = withProps(
        plan,
        "eu-central-1-thumbnails-policy",
        (p) => (p.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::elsewhere/*" }] })),
      );
      const found = await assertBlocks(
        leastPrivilegeRole,
        missing,
        "eu-central-1",
        /does not allow s3:GetObject on arn:aws:s3:::tp-eu-central-1-uploads-123456789012\/uploads\/\*, which it needs to read the objects whose notification invokes it \(through queue eu-central-1-upload-events\)/,
      );
      assert.ok(
        found.some((d) => /secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-central-1:123456789012:secret:fixture-db-AbCdEf/.test(d.message)),
      );
      assert.ok(
        found.some((d) =>
          /does not allow s3:PutObject on arn:aws:s3:::tp-eu-central-1-thumbnails-123456789012\/\*, which it needs to write thumbnails/.test(d.message),
        ),
        "the config's required grant",
      );
    });
  });

  describe("private-buckets", () => {
    it("fails an undeclared bucket without a full public access block, with a public ACL or a public policy", async () => {
      await assertBlocks(
        privateBuckets,
        withProps(plan, "us-east-1-uploads-bucket-public-access", (p) => (p.blockPublicPolicy = false)),
        "us-east-1",
        /bucket us-east-1-uploads-bucket's public access block leaves blockPublicPolicy off/,
      );
      await assertBlocks(
        privateBuckets,
        without(plan, "eu-central-1-access-logs-bucket-public-access"),
        "eu-central-1",
        /bucket eu-central-1-access-logs-bucket has no public access block/,
      );
      await assertBlocks(
        privateBuckets,
        withProps(plan, "us-east-1-uploads-bucket", (p) => (p.acl = "public-read")),
        "us-east-1",
        /public ACL public-read/,
      );
      const at = fn(plan, "us-east-1-uploads-bucket");
      const open = withAdded(plan, {
        parent: at.parent,
        provider: at.provider,
        region: at.region,
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "uploads-open",
        props: {
          bucket: "tp-us-east-1-uploads-123456789012",
          policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] }),
        },
        propertyDependencies: { bucket: [at.urn] },
      });
      await assertBlocks(privateBuckets, open, "us-east-1", /policy allows everyone/);
    });
    it("fails a CloudFront origin and a CloudFront read grant on a bucket of originals, the way originals become public", async () => {
      const raw = fn(plan, "us-east-1-uploads-bucket");
      let exposed = withResource(plan, "us-east-1-cdn", (r) => {
        r.props.origins = [{ originId: "uploads", domainName: "tp-us-east-1-uploads-123456789012.s3.us-east-1.amazonaws.com" }];
        r.propertyDependencies.origins = [raw.urn];
      });
      exposed = withAdded(exposed, {
        parent: raw.parent,
        provider: raw.provider,
        region: raw.region,
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "uploads-cdn-read",
        props: {
          bucket: "tp-us-east-1-uploads-123456789012",
          policy: JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: "arn:aws:s3:::tp-us-east-1-uploads-123456789012/*",
              },
            ],
          }),
        },
        propertyDependencies: { bucket: [raw.urn] },
      });
      const found = await failures(privateBuckets, exposed);
      assert.ok(
        found.some((d) =>
          /^us-east-1: us-east-1-cdn .* serves bucket us-east-1-uploads-bucket to anyone on the internet, but the bucket is not declared public/.test(
            d.message,
          ),
        ),
        found.map((d) => d.message).join("\n"),
      );
      assert.ok(found.some((d) => /lets CloudFront read it/.test(d.message)));
      await assertBlocks(privateBuckets, plan, "us-east-1", /serves bucket us-east-1-thumbnails-bucket/, {});
    });
  });

  describe("access-logging", () => {
    it("fails a bucket holding originals without access logs, or logging into itself, and a distribution without logging", async () => {
      await assertBlocks(
        accessLogging,
        without(plan, "eu-central-1-uploads-bucket-logging"),
        "eu-central-1",
        /bucket eu-central-1-uploads-bucket holds originals .* keeps no S3 access logs/,
      );
      const own = fn(plan, "us-east-1-uploads-bucket");
      await assertBlocks(
        accessLogging,
        withResource(plan, "us-east-1-uploads-bucket-logging", (r) => (r.propertyDependencies.targetBucket = [own.urn])),
        "us-east-1",
        /writes its access logs into itself/,
      );
      await assertBlocks(
        accessLogging,
        withProps(plan, "us-east-1-cdn", (p) => delete p.loggingConfig),
        "us-east-1",
        /us-east-1-cdn .* logs no requests/,
      );
      assert.deepEqual(
        names(await failures(accessLogging, without(plan, "us-east-1-thumbnails-bucket-public-access"))),
        [],
        "a bucket nothing is notified of needs no access logs here",
      );
    });
  });

  describe("no-recursive-trigger", () => {
    const loop = withProps(plan, "us-east-1-thumbnails-policy", (p) => {
      const doc = JSON.parse(p.policy as string) as { Statement: { Action: string[]; Resource: string }[] };
      doc.Statement.push({ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::tp-us-east-1-uploads-123456789012/uploads/*" } as never);
      p.policy = JSON.stringify(doc);
    });
    it("fails a function that writes into the bucket whose notification invokes it through its queue", async () => {
      await assertBlocks(
        noRecursiveTrigger,
        loop,
        "us-east-1",
        /us-east-1-thumbnails .* may write objects into bucket us-east-1-uploads-bucket .* invokes it on every new object/,
      );
    });
    it("is not fooled by names: a write outside the notified prefix is no loop, a `*` grant on a bucket the environment names is", async () => {
      const elsewhere = withProps(plan, "us-east-1-thumbnails-policy", (p) => {
        const doc = JSON.parse(p.policy as string) as { Statement: unknown[] };
        doc.Statement.push({ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::tp-us-east-1-uploads-123456789012/processed/*" });
        p.policy = JSON.stringify(doc);
      });
      await assertPasses(noRecursiveTrigger, elsewhere);
      const star = withProps(
        plan,
        "us-east-1-thumbnails-policy",
        (p) => (p.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "*" }] })),
      );
      await assertBlocks(noRecursiveTrigger, star, "us-east-1", /allows s3:PutObject on \*/);
    });
    it("counts what an attached AWS managed policy allows: AmazonS3FullAccess writes into the bucket the environment names", async () => {
      const role = fn(plan, "us-east-1-thumbnails-role");
      const full = withAdded(plan, {
        parent: role.parent,
        provider: role.provider,
        region: role.region,
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "thumbnails-s3-full",
        props: { role: "tp-us-east-1-thumbnails", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
        propertyDependencies: { role: [role.urn] },
      });
      await assertBlocks(
        noRecursiveTrigger,
        full,
        "us-east-1",
        /us-east-1-thumbnails .* may write objects into bucket us-east-1-uploads-bucket \(its role allows s3:PutObject on \* by arn:aws:iam::aws:policy\/AmazonS3FullAccess\)/,
      );
    });
    it("follows a direct notification of the function", async () => {
      const direct = withResource(loop, "us-east-1-uploads-notification", (r) => {
        const lambda = fn(plan, "us-east-1-thumbnails");
        r.props = { bucket: "tp-us-east-1-uploads-123456789012", lambdaFunctions: [{ lambdaFunctionArn: UNKNOWN, events: ["s3:ObjectCreated:Put"] }] };
        r.propertyDependencies = { bucket: r.propertyDependencies.bucket, lambdaFunctions: [lambda.urn] };
      });
      await assertBlocks(noRecursiveTrigger, direct, "us-east-1", /notification directly invokes it/);
    });
  });

  describe("supporting policies", () => {
    it("queue-visibility-timeout fails a queue shorter than 6x the function timeout", async () => {
      await assertBlocks(
        queueVisibility,
        withProps(plan, "us-east-1-upload-events", (p) => (p.visibilityTimeoutSeconds = 120)),
        "us-east-1",
        /needs at least 360s/,
      );
    });
    it("async-failure-destination fails a source queue without DLQ and an EventBridge target without one", async () => {
      await assertBlocks(
        asyncFailureDestination,
        withResource(plan, "eu-central-1-upload-events", (r) => delete r.props.redrivePolicy),
        "eu-central-1",
        /no redrivePolicy/,
      );
      await assertBlocks(
        asyncFailureDestination,
        withProps(plan, "us-east-1-canary-schedule-target", (p) => delete p.deadLetterConfig),
        "us-east-1",
        /failures go nowhere/,
      );
    });
    describe("async-failure-destination: every asynchronous invoker, found by what it references", () => {
      const canary = fn(plan, "us-east-1-canary");
      const canaryArn = "arn:aws:lambda:us-east-1:123456789012:function:tp-us-east-1-canary";
      const uploads = fn(plan, "us-east-1-uploads-bucket");
      const add =
        (type: string, name: string, props: Record<string, Json>, deps: Record<string, string[]> = {}) =>
        (on: PlanFile) =>
          withAdded(on, { parent: canary.parent, provider: canary.provider, region: canary.region, type, name, props, propertyDependencies: deps });
      const INVOKERS: [string, (on: PlanFile) => PlanFile, RegExp][] = [
        [
          "an S3 notification (by reference)",
          add(
            "aws:s3/bucketNotification:BucketNotification",
            "uploads-to-canary",
            { bucket: "tp-us-east-1-uploads-123456789012", lambdaFunctions: [{ lambdaFunctionArn: UNKNOWN, events: ["s3:ObjectCreated:*"] }] },
            { bucket: [uploads.urn], lambdaFunctions: [canary.urn] },
          ),
          /by S3 bucket notification uploads-to-canary .* of bucket us-east-1-uploads-bucket/,
        ],
        [
          "an S3 notification (by ARN)",
          add(
            "aws:s3/bucketNotification:BucketNotification",
            "uploads-to-canary",
            { bucket: "tp-us-east-1-uploads-123456789012", lambdaFunctions: [{ lambdaFunctionArn: canaryArn, events: ["s3:ObjectRemoved:*"] }] },
            { bucket: [uploads.urn] },
          ),
          /by S3 bucket notification uploads-to-canary/,
        ],
        [
          "a log subscription filter",
          add("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "errors-to-canary", {
            logGroup: "/aws/lambda/tp-us-east-1-thumbnails",
            filterPattern: "ERROR",
            destinationArn: canaryArn,
          }),
          /by CloudWatch Logs subscription filter errors-to-canary/,
        ],
        [
          "an EventBridge Scheduler schedule",
          add("aws:scheduler/schedule:Schedule", "canary-every-hour", {
            scheduleExpression: "rate(1 hour)",
            flexibleTimeWindow: { mode: "OFF" },
            target: { arn: canaryArn, roleArn: "arn:aws:iam::123456789012:role/scheduler" },
          }),
          /by EventBridge Scheduler schedule canary-every-hour/,
        ],
        [
          "an SES receipt rule",
          add("aws:ses/receiptRule:ReceiptRule", "mail-to-canary", { ruleSetName: "inbound", lambdaActions: [{ functionArn: canaryArn, position: 1 }] }),
          /by SES receipt rule mail-to-canary/,
        ],
        [
          "an IoT topic rule",
          add(
            "aws:iot/topicRule:TopicRule",
            "telemetry-to-canary",
            { sql: "SELECT * FROM 'x'", sqlVersion: "2016-03-23", enabled: true, lambdas: [{ functionArn: UNKNOWN }] },
            { lambdas: [canary.urn] },
          ),
          /by IoT topic rule telemetry-to-canary/,
        ],
        [
          "an alarm action",
          add("aws:cloudwatch/metricAlarm:MetricAlarm", "canary-on-alarm", {
            namespace: "AWS/SQS",
            metricName: "NumberOfMessagesSent",
            threshold: 1,
            alarmActions: [canaryArn],
            alarmDescription: "Runbook: https://runbooks.invalid/x.md",
          }),
          /by CloudWatch alarm action canary-on-alarm/,
        ],
        [
          "a permission for a bucket outside the stack",
          add("aws:lambda/permission:Permission", "partner-bucket-invokes-canary", {
            action: "lambda:InvokeFunction",
            function: "tp-us-east-1-canary",
            principal: "s3.amazonaws.com",
            sourceArn: "arn:aws:s3:::partner-drop",
          }),
          /by Lambda permission partner-bucket-invokes-canary .* for s3\.amazonaws\.com \(arn:aws:s3:::partner-drop\)/,
        ],
      ];
      for (const [what, invoke, text] of INVOKERS) {
        it(`fails a function invoked by ${what} whose failures go nowhere, and passes it with an on-failure destination`, async () => {
          const broken = invoke(plan);
          const found = await failures(asyncFailureDestination, broken);
          assert.deepEqual(names(found), ["async-failure-destination@us-east-1-canary"], found.map((d) => d.message).join("\n"));
          assert.match(found[0].message, new RegExp(`^us-east-1: us-east-1-canary is invoked asynchronously ${text.source}.*failures go nowhere`));
          const routed = add(
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            "canary-async",
            { functionName: "tp-us-east-1-canary", destinationConfig: { onFailure: { destination: "arn:aws:sqs:us-east-1:123456789012:failed" } } },
            { functionName: [canary.urn] },
          )(broken);
          await assertPasses(asyncFailureDestination, routed);
        });
      }
      it("names an S3 notification once, not again through the permission that lets S3 invoke", async () => {
        const both = add(
          "aws:lambda/permission:Permission",
          "uploads-invoke-canary",
          {
            action: "lambda:InvokeFunction",
            function: "tp-us-east-1-canary",
            principal: "s3.amazonaws.com",
            sourceArn: "arn:aws:s3:::tp-us-east-1-uploads-123456789012",
          },
          { function: [canary.urn] },
        )(INVOKERS[0][1](plan));
        const found = await failures(asyncFailureDestination, both);
        assert.equal(found.length, 1, found.map((d) => d.message).join("\n"));
      });
      it("leaves synchronous invokers alone: API Gateway's permission, an SES rule invoking RequestResponse", async () => {
        await assertPasses(
          asyncFailureDestination,
          add(
            "aws:lambda/permission:Permission",
            "api-invokes-canary",
            { action: "lambda:InvokeFunction", function: "tp-us-east-1-canary", principal: "apigateway.amazonaws.com" },
            { function: [canary.urn] },
          )(plan),
        );
        await assertPasses(
          asyncFailureDestination,
          add("aws:ses/receiptRule:ReceiptRule", "mail-to-canary", {
            ruleSetName: "inbound",
            lambdaActions: [{ functionArn: canaryArn, position: 1, invocationType: "RequestResponse" }],
          })(plan),
        );
      });
    });
    it("db-connection-budget fails concurrency above 80% of max_connections, and unbounded concurrency", async () => {
      const over = withProps(plan, "us-east-1-thumbnails-trigger", (p) => (p.scalingConfig = { maximumConcurrency: 80 }));
      await assertBlocks(connectionBudget, over, "us-east-1", /may hold 81 connections.*\(80\)/);
      await assertBlocks(
        connectionBudget,
        withProps(plan, "eu-central-1-canary", (p) => delete p.reservedConcurrentExecutions),
        "eu-central-1",
        /nothing bounds its concurrency/,
      );
      await assertBlocks(
        connectionBudget,
        withProps(plan, "eu-central-1-db-parameters", (p) => (p.parameters = [])),
        "eu-central-1",
        /does not set max_connections/,
      );
    });
    it("db-connection-budget judges the share the config gives (maxShare) instead of 80%", async () => {
      const over = withProps(plan, "us-east-1-thumbnails-trigger", (p) => (p.scalingConfig = { maximumConcurrency: 80 }));
      await assertPasses(connectionBudget, over, { maxShare: 0.85 });
      await assertBlocks(connectionBudget, over, "us-east-1", /may hold 81 connections.*above 70% of max_connections 100 \(70\)/, { maxShare: 0.7 });
    });
    it("function-database-network fails without the ingress rule, and for a function outside the VPC", async () => {
      await assertBlocks(functionDatabaseNetwork, without(plan, "us-east-1-database-from-functions"), "us-east-1", /allows no ingress/);
      await assertBlocks(
        functionDatabaseNetwork,
        withProps(plan, "eu-central-1-function-to-database", (p) => (p.fromPort = p.toPort = 3306)),
        "eu-central-1",
        /no egress.*5432/,
      );
      await assertBlocks(
        functionDatabaseNetwork,
        withResource(plan, "eu-central-1-thumbnails", (r) => delete r.propertyDependencies.vpcConfig),
        "eu-central-1",
        /no VPC security group/,
      );
    });
    it("encryption-at-rest fails an unencrypted bucket, queue, log group or database", async () => {
      await assertBlocks(encryptionAtRest, without(plan, "us-east-1-thumbnails-bucket-encryption"), "us-east-1", /no server-side encryption/);
      await assertBlocks(
        encryptionAtRest,
        withProps(plan, "eu-central-1-upload-events-dlq", (p) => delete p.sqsManagedSseEnabled),
        "eu-central-1",
        /is not encrypted/,
      );
      await assertBlocks(
        encryptionAtRest,
        withProps(plan, "eu-central-1-canary-logs", (p) => delete p.kmsKeyId),
        "eu-central-1",
        /no kmsKeyId/,
      );
      await assertBlocks(
        encryptionAtRest,
        withProps(plan, "us-east-1-db", (p) => (p.storageEncrypted = false)),
        "us-east-1",
        /storageEncrypted/,
      );
    });
    it("supported-runtime fails a deprecated runtime (resource-level), naming the region from the provider", async () => {
      const found = await failures(
        supportedRuntime,
        withProps(plan, "us-east-1-canary", (p) => (p.runtime = "nodejs18.x")),
      );
      assert.deepEqual(names(found), ["supported-runtime@us-east-1-canary"]);
      assert.match(found[0].message, /^us-east-1: us-east-1-canary uses nodejs18\.x, deprecated by AWS on 2025-09-01/);
    });
    it("memory-cap fails memory above the cap, from config or from the region's environment", async () => {
      await assertBlocks(
        memoryCap,
        withProps(plan, "eu-central-1-thumbnails", (p) => (p.memorySize = 4096)),
        "eu-central-1",
        /4096 MB, above the cap 3008 MB/,
      );
      await assertBlocks(memoryCap, plan, "us-east-1", /512 MB, above the cap 256 MB/, { maxMemoryMb: 256 });
      const capped = withProps(plan, "us-east-1-canary", (p) => ((p.environment as { variables: Record<string, string> }).variables.CAP_MB = "384"));
      await assertBlocks(memoryCap, capped, "us-east-1", /us-east-1-thumbnails has memorySize 512 MB, above the cap 384 MB/, { capFromEnvironment: "CAP_MB" });
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

  it("every policy documents itself: description, severity, remediation and its section of docs/policies.md", () => {
    for (const p of POLICIES) {
      assert.ok(p.description && p.severity && p.remediationSteps, p.name);
      assert.equal(p.url, docsUrl(p.name));
      assert.ok(p.url?.endsWith(`docs/policies.md#${p.name}`) || p.url?.includes(`#${p.name}`), p.url);
      assert.ok(!/example-org|REPLACE_ME/.test(p.url ?? ""), p.url);
    }
  });
});
