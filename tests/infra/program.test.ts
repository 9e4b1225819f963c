// The Pulumi program under the shared mocks, on the committed stacks and the
// real build: the bar of issue 3 (same pipeline everywhere, log shipping and
// alarms per function, budgets) and the floors the automation leaves behind.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RETRY_SCHEDULE } from "../../contracts/retry-schedule";
import { FUNCTION_NAMES } from "../../infra/config";
import { FUNCTION_ALARM_KINDS } from "../../infra/naming";
import { readFreshManifest } from "../../handlers/build-manifest";
import { REPO_ROOT, UNKNOWN, type PlanFile, type PlanResource } from "../../toolchain/plan/plan-stack";
import { byName, descendants, ofType, pipelines, planWith, prop, stackPlan } from "./support/plans";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const FUNCTION = "aws:lambda/function:Function";

/** `<region>-<role>` -> role: what region-parity compares. */
function roleOf(r: PlanResource): string {
  return r.name.slice(r.region.length + 1);
}

function regionShape(plan: PlanFile, pipeline: PlanResource): string[] {
  return descendants(plan, pipeline.urn)
    .map((r) => `${r.type} ${roleOf(r)}`)
    .sort();
}

describe("Pulumi program (plan under mocks)", function () {
  let dev: PlanFile;
  let prod: PlanFile;

  before(async function () {
    this.timeout(600_000); // a first run builds dist/ through ensureFreshBuild
    dev = await stackPlan("dev");
    prod = await stackPlan("prod");
  });

  it("deploys the same RegionalPipeline to every configured region, each on its own provider", () => {
    for (const [plan, regions] of [
      [dev, ["us-east-1", "eu-central-1"]],
      [prod, ["us-east-1", "eu-central-1", "ap-southeast-2"]],
    ] as const) {
      const ps = pipelines(plan);
      assert.deepEqual(ps.map((p) => p.name).sort(), [...regions].sort());
      const reference = regionShape(plan, ps[0]);
      assert.ok(reference.length > 100, `a region has only ${reference.length} resources`);
      for (const p of ps) {
        assert.deepEqual(regionShape(plan, p), reference, `${p.name} differs from ${ps[0].name}`);
        for (const r of descendants(plan, p.urn)) {
          assert.equal(r.region, p.name, `${r.name} is outside its region`);
          // Nested components hold no provider; every cloud resource names its region's.
          if (r.type.startsWith("aws:")) assert.match(r.provider ?? "", new RegExp(`::aws-${p.name}::`), `${r.name} does not use the ${p.name} provider`);
        }
      }
    }
  });

  it("gives every function a log group with finite retention, shipping to its jurisdiction's archive", () => {
    const firehose = (region: string) => byName(dev, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", `${region}-log-archive-stream`);
    const archiveOf: Record<string, string> = { "us-east-1": "us-east-1", "eu-central-1": "eu-west-1" };
    const functions = ofType(dev, FUNCTION);
    assert.equal(functions.length, FUNCTION_NAMES.length * 2);
    for (const f of functions) {
      const name = prop<string>(f, "name");
      const group = dev.resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.props.name === `/aws/lambda/${name}`);
      assert.ok(group, `${name} has no log group`);
      assert.equal(group.region, f.region);
      assert.ok(prop<number>(group, "retentionInDays") > 0);
      assert.match(prop<string>(group, "kmsKeyId"), /^arn:aws:kms:/);
      assert.equal(prop<string>(f, "loggingConfig.logGroup"), `/aws/lambda/${name}`);

      const filter = dev.resources.find(
        (r) => r.type === "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter" && r.props.logGroup === `/aws/lambda/${name}`,
      );
      assert.ok(filter, `${name} has no subscription filter`);
      assert.equal(filter.region, f.region);
      const destination = byName(dev, "aws:cloudwatch/logDestination:LogDestination", `${f.region}-log-destination`);
      assert.equal(destination.region, f.region, "a destination lives in its log groups' region");
      assert.equal(prop<string>(filter, "destinationArn"), `arn:aws:logs:${f.region}:123456789012:destination:${prop<string>(destination, "name")}`);
      assert.equal(
        prop<string>(destination, "targetArn"),
        `arn:aws:firehose:${archiveOf[f.region]}:123456789012:deliverystream/${prop<string>(firehose(archiveOf[f.region]), "name")}`,
      );
    }
  });

  it("keeps the residency region's logs in its own jurisdiction, defining each archive once", () => {
    const archives = ofType(dev, "thumbnail-pipeline:index:CentralLogArchive");
    assert.deepEqual(archives.map((a) => a.name).sort(), ["log-archive-eu-west-1", "log-archive-us-east-1"]);
    const eu = byName(dev, "aws:cloudwatch/logDestination:LogDestination", "eu-central-1-log-destination");
    assert.match(prop<string>(eu, "targetArn"), /^arn:aws:firehose:eu-west-1:/);
    const bucket = byName(dev, "aws:s3/bucket:Bucket", "eu-west-1-log-archive-bucket");
    assert.equal(bucket.region, "eu-west-1");
    assert.ok(
      dev.resources.some((r) => r.name === "eu-west-1-log-archive-bucket-encryption"),
      "the archive bucket is encrypted",
    );
  });

  it("gives every function its five alarms, in its region, each with an action and a runbook that exists", () => {
    for (const f of ofType(dev, FUNCTION)) {
      const name = prop<string>(f, "name");
      for (const kind of FUNCTION_ALARM_KINDS) {
        const alarm = dev.resources.find((r) => r.type === ALARM && r.props.name === `${name}-${kind}`);
        assert.ok(alarm, `${name} has no ${kind} alarm`);
        assert.equal(alarm.region, f.region);
        assert.match(prop<string[]>(alarm, "alarmActions")[0], new RegExp(`^arn:aws:sns:${f.region}:\\d+:.+-alerts$`));
      }
    }
    const memory = dev.resources.find((r) => r.type === ALARM && r.props.name === "thumbpipe-dev-eu-central-1-thumbnails-memory") as PlanResource;
    const queries = prop<{ id: string; returnData?: boolean; expression?: string }[]>(memory, "metricQueries");
    assert.deepEqual(
      queries.filter((q) => q.returnData === true).map((q) => q.expression),
      ["100 * used / size"],
      "the alarm evaluates one series: used over size",
    );
    const alarms = ofType(dev, ALARM);
    const perRegion = alarms.length / 2;
    assert.equal(
      perRegion,
      FUNCTION_NAMES.length * 5 + 6 + 3 + 1 + 3,
      "functions, queues (depth and age of queue, DLQ and async failures), database, canary, API (5xx, latency, 4xx rate)",
    );
    for (const a of alarms) {
      assert.ok(prop<string[]>(a, "alarmActions").length > 0, `${a.name} has no action`);
      const link = /Runbook: https:\/\/\S+\/docs\/runbooks\/([a-z0-9-]+\.md)$/.exec(prop<string>(a, "alarmDescription"));
      assert.ok(link, `${a.name} has no runbook link`);
      assert.ok(existsSync(join(REPO_ROOT, "docs", "runbooks", link[1])), `${a.name} links to missing docs/runbooks/${link[1]}`);
    }
    for (const region of ["us-east-1", "eu-central-1"]) {
      for (const name of [
        `thumbpipe-dev-${region}-db-connections`,
        `thumbpipe-dev-${region}-db-cpu`,
        `thumbpipe-dev-${region}-db-storage`,
        `thumbpipe-dev-${region}-canary`,
        `thumbpipe-dev-${region}-raw-events-dlq-depth`,
        `thumbpipe-dev-${region}-raw-events-age`,
      ]) {
        assert.ok(
          alarms.some((a) => a.props.name === name && a.region === region),
          `missing alarm ${name}`,
        );
      }
    }
  });

  it("keeps queue visibility at least six thumbnail timeouts, with a DLQ", () => {
    for (const region of ["us-east-1", "eu-central-1"]) {
      const fn = byName(dev, FUNCTION, `${region}-thumbnails`);
      const queue = byName(dev, "aws:sqs/queue:Queue", `${region}-raw-events`);
      assert.ok(prop<number>(queue, "visibilityTimeoutSeconds") >= 6 * prop<number>(fn, "timeout"));
      const redrive = JSON.parse(prop<string>(queue, "redrivePolicy")) as { deadLetterTargetArn: string; maxReceiveCount: number };
      assert.match(redrive.deadLetterTargetArn, /raw-events-dlq$/);
      assert.ok(redrive.maxReceiveCount >= 1);
      assert.equal(prop<boolean>(queue, "sqsManagedSseEnabled"), true);
    }
  });

  it("caps database users at 80% of max_connections (concurrency x pool size 1)", () => {
    for (const plan of [dev, prod]) {
      for (const p of pipelines(plan)) {
        const region = p.name;
        const group = byName(plan, "aws:rds/parameterGroup:ParameterGroup", `${region}-db-parameters`);
        const max = Number(prop<{ name: string; value: string }[]>(group, "parameters").find((x) => x.name === "max_connections")?.value);
        const mapping = byName(plan, "aws:lambda/eventSourceMapping:EventSourceMapping", `${region}-thumbnails-trigger`);
        const thumbnails = prop<number>(mapping, "scalingConfig.maximumConcurrency");
        assert.ok(thumbnails >= 2);
        assert.deepEqual(prop<string[]>(mapping, "functionResponseTypes"), ["ReportBatchItemFailures"]);
        const others = ["migrate", "db-guard", "canary"].map((fn) => prop<number>(byName(plan, FUNCTION, `${region}-${fn}`), "reservedConcurrentExecutions"));
        const used = thumbnails + others.reduce((a, b) => a + b, 0);
        assert.ok(used <= 0.8 * max, `${plan.stack}/${region}: ${used} connections > 80% of ${max}`);
        assert.equal(prop<number>(byName(plan, FUNCTION, `${region}-thumbnails`), "reservedConcurrentExecutions"), thumbnails);
      }
    }
  });

  it("keeps the raw and thumbnails buckets private, encrypted and TLS-only", () => {
    for (const region of ["us-east-1", "eu-central-1"]) {
      for (const bucket of ["raw-bucket", "thumbnails-bucket"]) {
        const block = byName(dev, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${region}-${bucket}-public-access`);
        for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
          assert.equal(block.props[k], true, `${region} ${bucket} ${k}`);
        const policy = JSON.parse(prop<string>(byName(dev, "aws:s3/bucketPolicy:BucketPolicy", `${region}-${bucket}-policy`), "policy")) as {
          Statement: { Effect: string; Principal: unknown; Condition?: unknown }[];
        };
        assert.ok(policy.Statement.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"')));
        assert.ok(!policy.Statement.some((s) => s.Effect === "Allow" && s.Principal === "*"), "no anonymous access");
      }
      const cdnRead = JSON.parse(prop<string>(byName(dev, "aws:s3/bucketPolicy:BucketPolicy", `${region}-thumbnails-bucket-policy`), "policy")) as {
        Statement: { Principal?: { Service?: string } }[];
      };
      assert.ok(
        cdnRead.Statement.some((s) => s.Principal?.Service === "cloudfront.amazonaws.com"),
        "thumbnails are read through CloudFront",
      );
    }
  });

  it("ships every function from the fresh manifest with its bundle hash, arm64 and nodejs22.x", () => {
    const manifest = readFreshManifest(REPO_ROOT);
    for (const f of ofType(dev, FUNCTION)) {
      const fn = prop<string>(f, "tags.pipeline:function");
      assert.equal(prop<string>(f, "tags.pipeline:bundle-hash"), manifest.functions[fn].bundleHash);
      assert.equal(prop<string>(f, "code.path"), `dist/${manifest.functions[fn].archive}`);
      assert.equal(prop<string>(f, "runtime"), "nodejs22.x");
      assert.deepEqual(prop<string[]>(f, "architectures"), [manifest.architecture]);
      for (const tag of ["pipeline:commit", "pipeline:region", "pipeline:role"]) assert.ok(prop<string>(f, `tags.${tag}`), `${f.name} lacks ${tag}`);
    }
    for (const region of ["us-east-1", "eu-central-1"]) {
      // The process-start settings the memory benchmarks depend on (one malloc arena for libvips, a pinned V8 young generation).
      const thumbnails = byName(dev, FUNCTION, `${region}-thumbnails`);
      assert.equal(prop<string>(thumbnails, "environment.variables.MALLOC_ARENA_MAX"), "1");
      assert.equal(prop<string>(thumbnails, "environment.variables.NODE_OPTIONS"), "--max-semi-space-size=8");
    }
    const invocation = byName(dev, "aws:lambda/invocation:Invocation", "eu-central-1-migrations");
    assert.equal(prop<string>(invocation, "triggers.bundleHash"), manifest.functions.migrate.bundleHash);
  });

  it("holds failed messages back by the one retry schedule its queue's redrive policy was checked against", () => {
    for (const region of ["us-east-1", "eu-central-1"]) {
      const env = prop<Record<string, string>>(byName(dev, FUNCTION, `${region}-thumbnails`), "environment.variables");
      const queue = byName(dev, "aws:sqs/queue:Queue", `${region}-raw-events`);
      assert.equal(env.QUEUE_URL, prop<string>(queue, "url") ?? env.QUEUE_URL);
      assert.match(env.QUEUE_URL, new RegExp(`^https://sqs\\.${region}\\.amazonaws\\.com/123456789012/thumbpipe-dev-${region}-raw-events$`));
      assert.equal(env.RETRY_BASE_SECONDS, String(DEFAULT_RETRY_SCHEDULE.baseSeconds));
      assert.equal(JSON.parse(prop<string>(queue, "redrivePolicy")).maxReceiveCount, DEFAULT_RETRY_SCHEDULE.maxReceiveCount);
      // Inside the VPC without NAT, ChangeMessageVisibility needs the SQS endpoint.
      assert.ok(
        dev.resources.some((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && r.region === region && r.props.serviceName === `com.amazonaws.${region}.sqs`),
      );
    }
  });

  it("wires the self-healing functions in every region", () => {
    for (const region of ["us-east-1", "eu-central-1"]) {
      const rule = (role: string) => byName(dev, "aws:cloudwatch/eventRule:EventRule", `${region}-${role}`);
      const oom = JSON.parse(prop<string>(rule("oom-alarm-rule"), "eventPattern")) as { detail: { alarmName: string[] } };
      assert.deepEqual(oom.detail.alarmName.sort(), FUNCTION_NAMES.map((fn) => `thumbpipe-dev-${region}-${fn}-oom`).sort());
      assert.equal(prop<string>(rule("db-guard-schedule"), "scheduleExpression"), "rate(1 minute)");
      assert.equal(prop<string>(rule("canary-schedule"), "scheduleExpression"), "rate(5 minutes)");
      const conn = JSON.parse(prop<string>(rule("db-connections-rule"), "eventPattern")) as { detail: { alarmName: string[] } };
      assert.deepEqual(conn.detail.alarmName, [`thumbpipe-dev-${region}-db-connections`]);
      const connAlarm = dev.resources.find((r) => r.type === ALARM && r.props.name === `thumbpipe-dev-${region}-db-connections`) as PlanResource;
      assert.deepEqual(
        [connAlarm.props.period, connAlarm.props.evaluationPeriods, connAlarm.props.datapointsToAlarm, connAlarm.props.threshold],
        [60, 5, 5, 0.8],
      );
      // Dead letters go back once the canary passes again (or arrive while it passes), and on a schedule as a safety net.
      const canaryOk = JSON.parse(prop<string>(rule("dlq-redrive-canary-rule"), "eventPattern")) as {
        detail: { alarmName: string[]; state: { value: string[] } };
      };
      assert.deepEqual(canaryOk.detail, { alarmName: [`thumbpipe-dev-${region}-canary`], state: { value: ["OK"] } });
      const dlqDepth = JSON.parse(prop<string>(rule("dlq-redrive-depth-rule"), "eventPattern")) as {
        detail: { alarmName: string[]; state: { value: string[] } };
      };
      assert.deepEqual(dlqDepth.detail, { alarmName: [`thumbpipe-dev-${region}-raw-events-dlq-depth`], state: { value: ["ALARM"] } });
      assert.equal(prop<string>(rule("dlq-redrive-schedule"), "scheduleExpression"), "rate(30 minutes)");
      const redriver = byName(dev, FUNCTION, `${region}-dlq-redriver`);
      assert.equal(prop<string>(redriver, "environment.variables.CANARY_ALARM_NAME"), `thumbpipe-dev-${region}-canary`);
      assert.equal(prop<string>(redriver, "environment.variables.MAX_REDRIVES"), "3");
      assert.equal(prop<number>(redriver, "reservedConcurrentExecutions"), 1);
      assert.ok(
        ofType(dev, ALARM).some((a) => a.props.name === `thumbpipe-dev-${region}-canary` && a.region === region),
        "the alarm it waits for exists",
      );
      for (const role of [
        "oom-alarm-rule",
        "db-guard-schedule",
        "db-connections-rule",
        "canary-schedule",
        "dlq-redrive-canary-rule",
        "dlq-redrive-depth-rule",
        "dlq-redrive-schedule",
      ]) {
        assert.equal(byName(dev, "aws:lambda/permission:Permission", `${region}-${role}-permission`).props.principal, "events.amazonaws.com");
      }
      for (const fn of ["oom-remediator", "db-guard", "canary", "ticket-opener", "dlq-redriver"]) {
        const config = byName(dev, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", `${region}-${fn}-async-config`);
        assert.match(
          prop<string>(config, "destinationConfig.onFailure.destination"),
          new RegExp(`^arn:aws:sqs:${region}:\\d+:thumbpipe-dev-${region}-async-failures$`),
        );
      }
      const sub = byName(dev, "aws:sns/topicSubscription:TopicSubscription", `${region}-tickets-subscription`);
      assert.equal(sub.props.protocol, "lambda");
      const remediator = byName(dev, FUNCTION, `${region}-oom-remediator`);
      assert.equal(prop<string>(remediator, "environment.variables.MEMORY_FLOOR_PARAMETER_PREFIX"), `/thumbnail-pipeline/dev/${region}/memory-floor/`);
      assert.equal(prop<string>(remediator, "environment.variables.MEMORY_CAP_MB"), "1024");
      assert.equal(remediator.props.vpcConfig, undefined, "oom-remediator runs outside the VPC");
      assert.ok(prop<string[]>(byName(dev, FUNCTION, `${region}-db-guard`), "vpcConfig.subnetIds").length === 2);
    }
  });

  it("keeps the memory the OOM remediator raised, clamped to the cap, and db-guard's max_connections", async () => {
    const floor = (fn: string) => `/thumbnail-pipeline/dev/eu-central-1/memory-floor/thumbpipe-dev-eu-central-1-${fn}`;
    const raised = await planWith("dev", {
      ssmParameters: { [floor("canary")]: 384, [floor("thumbnails")]: 4096, "/thumbnail-pipeline/dev/eu-central-1/max-connections-floor": 110 },
    });
    const memory = (plan: PlanFile, region: string, fn: string) => prop<number>(byName(plan, FUNCTION, `${region}-${fn}`), "memorySize");
    assert.equal(memory(dev, "eu-central-1", "canary"), 256);
    assert.equal(memory(raised, "eu-central-1", "canary"), 384);
    assert.equal(memory(raised, "eu-central-1", "thumbnails"), 1024, "a floor above the cap is clamped");
    assert.equal(memory(raised, "us-east-1", "canary"), 256, "floors are per region");
    const maxConnections = (plan: PlanFile) =>
      prop<{ name: string; value: string }[]>(byName(plan, "aws:rds/parameterGroup:ParameterGroup", "eu-central-1-db-parameters"), "parameters").find(
        (p) => p.name === "max_connections",
      )?.value;
    assert.equal(maxConnections(dev), "100");
    assert.equal(maxConnections(raised), "110");
    assert.equal(
      prop<number>(byName(raised, "aws:lambda/eventSourceMapping:EventSourceMapping", "eu-central-1-thumbnails-trigger"), "scalingConfig.maximumConcurrency"),
      79,
      "88 of 110 connections, less one each for migrate, db-guard, canary, result-publisher and five for api",
    );
  });

  it("uses an existing database by secret ARN and host instead of creating one", async () => {
    const existing = Object.fromEntries(
      ["us-east-1", "eu-central-1"].map((region) => [
        region,
        {
          secretArn: `arn:aws:secretsmanager:${region}:123456789012:secret:pg-AbCdEf`,
          host: `pg.${region}.corp`,
          dbName: "images",
          instanceId: `corp-pg-${region}`,
          parameterGroupName: "corp-pg16",
          cidr: "10.60.0.0/16",
        },
      ]),
    );
    const plan = await planWith("dev", { config: { database: { maxConnections: 100, existing } } });
    assert.equal(plan.resources.filter((r) => r.type.startsWith("aws:rds/")).length, 0);
    const ps = pipelines(plan);
    assert.deepEqual(regionShape(plan, ps[0]), regionShape(plan, ps[1]), "regions stay identical");
    for (const region of ["us-east-1", "eu-central-1"]) {
      const env = prop<Record<string, string>>(byName(plan, FUNCTION, `${region}-thumbnails`), "environment.variables");
      assert.deepEqual([env.DB_SECRET_ARN, env.DB_HOST, env.DB_NAME, env.DB_TLS], [existing[region].secretArn, existing[region].host, "images", "verify-full"]);
      // Its secret is known from config, so the roles name exactly it (no RDS-managed pattern).
      const policy = JSON.parse(prop<string>(byName(plan, "aws:iam/rolePolicy:RolePolicy", `${region}-thumbnails-policy`), "policy")) as {
        Statement: { Action: string[] }[];
      };
      assert.deepEqual(
        policy.Statement.filter((st) => st.Action.includes("secretsmanager:GetSecretValue")),
        [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: existing[region].secretArn }],
      );
      assert.equal(
        prop<string>(byName(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", `${region}-function-to-database`), "cidrIpv4"),
        "10.60.0.0/16",
      );
      const guard = prop<Record<string, string>>(byName(plan, FUNCTION, `${region}-db-guard`), "environment.variables");
      assert.deepEqual([guard.DB_INSTANCE_ID, guard.DB_PARAMETER_GROUP], [`corp-pg-${region}`, "corp-pg16"]);
      assert.ok(ofType(plan, ALARM).some((a) => a.props.name === `corp-pg-${region}-connections` && a.region === region));
      assert.ok(!plan.resources.some((r) => r.name === `${region}-database-sg`));
    }
  });

  it("marks computed values unknown when planned like a first preview", async () => {
    const first = await planWith("dev", { unknownOutputs: true });
    const fn = byName(first, FUNCTION, "eu-central-1-thumbnails");
    assert.equal(prop<string>(fn, "environment.variables.DB_SECRET_ARN"), UNKNOWN, "the RDS-managed secret exists only after the instance");
    assert.equal(prop<string>(fn, "role"), UNKNOWN);
    assert.equal(prop<number>(fn, "memorySize"), 512, "config-derived values stay known");
    assert.equal(prop<string>(fn, "tags.pipeline:bundle-hash"), prop<string>(byName(dev, FUNCTION, "eu-central-1-thumbnails"), "tags.pipeline:bundle-hash"));
    assert.equal(first.resources.length, dev.resources.length);
  });

  it("writes the plan file shape the policy pack reads", () => {
    assert.deepEqual(Object.keys(dev).sort(), ["project", "resources", "stack"]);
    assert.equal(dev.project, "thumbnail-pipeline");
    const urns = new Set(dev.resources.map((r) => r.urn));
    assert.equal(urns.size, dev.resources.length, "URNs are unique");
    for (const r of dev.resources) {
      // `aliases` only where the program (or a provider's SDK) gave some.
      assert.deepEqual(
        Object.keys(r)
          .filter((k) => k !== "aliases")
          .sort(),
        ["dependencies", "name", "outputs", "parent", "propertyDependencies", "props", "provider", "region", "type", "urn"],
      );
      for (const a of r.aliases ?? [])
        assert.ok(
          "urn" in a ? a.urn.startsWith("urn:pulumi:") : a.parent === null || a.parent === undefined || urns.has(a.parent),
          `${r.name}: alias ${JSON.stringify(a)}`,
        );
      assert.ok(r.urn.startsWith("urn:pulumi:dev::thumbnail-pipeline::") && r.urn.endsWith(`::${r.name}`));
      if (r.parent) assert.ok(urns.has(r.parent), `${r.name}: unknown parent`);
      for (const d of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) assert.ok(urns.has(d), `${r.name}: unknown dependency ${d}`);
      assert.ok(["us-east-1", "eu-central-1", "eu-west-1", "global"].includes(r.region), `${r.name}: region ${r.region}`);
    }
    assert.doesNotMatch(JSON.stringify(dev), /04da6b54-80e4-46f7-96ec-b56ff0331ba9/, "the mocks leave no unknowns");
  });
});
