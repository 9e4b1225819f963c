// A hand-built plan of a small two-region program that passes every policy
// with FIXTURE_CONFIG; tests break one thing at a time. Each region has an
// explicit provider; us-east-1 ships logs to the archive in us-east-1,
// eu-central-1 to the one in eu-west-1. An upload bucket notifies a queue that
// feeds the `thumbnails` function, which writes to a second bucket served
// through CloudFront; a `canary` function runs on a schedule. Props are in
// wire form, as `npm run plan` writes them (archives with the engine's hash).
// Each resource also has outputs, its state after the step as AnalyzeStack
// gets it: the inputs plus what AWS computes (id, ARN, tagsAll). The helpers
// change a resource as a changed program would, inputs and outputs alike.
import type { Json, PlanFile, PlanResource } from "../../toolchain/plan/plan-stack";

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG = "4dabf18193072939515e22adb298388d";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const ACCOUNT = "123456789012";
const STACK = "test";
const PROJECT = "fixture";
const COMPONENT = "fixture:index:RegionalApp";
const ARCHIVE = "fixture:index:LogArchive";
export const FUNCTIONS = ["thumbnails", "canary"] as const;
export const ARCHIVE_HASHES: Record<string, string> = { thumbnails: "a".repeat(64), canary: "c".repeat(64) };

type Props = Record<string, Json>;

/** The pack config every policy passes the fixture with: per policy, its properties. */
export const FIXTURE_CONFIG: Record<string, Record<string, unknown>> = {
  "working-build": {
    builds: [{ name: "fixture", artifacts: Object.fromEntries(Object.entries(ARCHIVE_HASHES).map(([fn, archiveHash]) => [fn, { archiveHash }])) }],
  },
  "required-alarms": { regionAlarms: { canary: { metrics: [{ namespace: "Fixture", metricName: "CanarySuccess" }] } } },
  "least-privilege-role": {
    requiredGrants: [
      { function: { tags: { app: "thumbnails" } }, action: "s3:PutObject", resource: "arn:aws:s3:::{env.OUTPUT_BUCKET}/*", why: "write thumbnails" },
      { function: { name: "*-canary" }, action: "s3:PutObject", resource: "arn:aws:s3:::{env.UPLOAD_BUCKET}/canary/*", why: "upload the canary image" },
    ],
  },
  "private-buckets": { publicBuckets: [{ bucket: "*-thumbnails-bucket", reason: "served through CloudFront" }] },
};

/** The config for one policy (what `runPolicy` takes). */
export function configFor(policy: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(FIXTURE_CONFIG[policy] ?? {}), ...extra };
}

/** What AWS computes for a resource of the fixture, beside its inputs. */
function computed(type: string, name: string, props: Props, region: string): Props {
  const named = typeof props.name === "string" ? props.name : name;
  switch (type) {
    case "aws:lambda/function:Function":
      return { id: named, arn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${named}` };
    case "aws:sqs/queue:Queue":
      return {
        id: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${named}`,
        arn: `arn:aws:sqs:${region}:${ACCOUNT}:${named}`,
        url: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${named}`,
      };
    case "aws:iam/role:Role":
      return { id: named, arn: `arn:aws:iam::${ACCOUNT}:role/${named}` };
    case "aws:s3/bucket:Bucket":
      return { id: String(props.bucket), arn: `arn:aws:s3:::${String(props.bucket)}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: named, arn: `arn:aws:logs:${region}:${ACCOUNT}:log-group:${named}` };
    case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
      return { id: named, arn: `arn:aws:firehose:${region}:${ACCOUNT}:deliverystream/${named}` };
    case "aws:rds/instance:Instance":
      return { id: String(props.identifier), arn: `arn:aws:rds:${region}:${ACCOUNT}:db:${String(props.identifier)}` };
    default:
      return { id: `${name}-id` };
  }
}

function outputsOf(type: string, name: string, props: Props, region: string): Props {
  return { ...structuredClone(props), ...computed(type, name, props, region), ...(props.tags !== undefined ? { tagsAll: structuredClone(props.tags) } : {}) };
}

class Builder {
  readonly resources: PlanResource[] = [];
  private readonly providers = new Map<string, string>();

  provider(region: string): string {
    const existing = this.providers.get(region);
    if (existing) return existing;
    const urn = `urn:pulumi:${STACK}::${PROJECT}::pulumi:providers:aws::aws-${region}`;
    this.resources.push({
      urn,
      type: "pulumi:providers:aws",
      name: `aws-${region}`,
      region,
      parent: null,
      provider: null,
      props: { region },
      dependencies: [],
      propertyDependencies: {},
    });
    const ref = `${urn}::provider-${region}`;
    this.providers.set(region, ref);
    return ref;
  }

  add(type: string, name: string, props: Props, o: { parent?: string; deps?: Record<string, string[]>; region: string; component?: boolean }): string {
    const parentType = o.parent ? o.parent.split("::")[2] : undefined;
    const urn = `urn:pulumi:${STACK}::${PROJECT}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
    const deps = o.deps ?? {};
    this.resources.push({
      urn,
      type,
      name,
      region: o.region,
      parent: o.parent ?? null,
      provider: o.component ? null : this.provider(o.region),
      props,
      outputs: o.component ? {} : outputsOf(type, name, props, o.region),
      dependencies: [...new Set(Object.values(deps).flat())].sort(),
      propertyDependencies: deps,
    });
    return urn;
  }
}

function alarm(
  b: Builder,
  at: { parent: string; region: string },
  role: string,
  metric: { namespace: string; metricName: string; dimensions?: Props; threshold?: number },
  deps?: Record<string, string[]>,
): string {
  const name = `${at.region}-${role}`;
  return b.add(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    `${at.region}-${role}-alarm`,
    {
      name,
      namespace: metric.namespace,
      metricName: metric.metricName,
      ...(metric.dimensions ? { dimensions: metric.dimensions } : {}),
      threshold: metric.threshold ?? 1,
      alarmActions: [`arn:aws:sns:${at.region}:${ACCOUNT}:alerts`],
      alarmDescription: `${name} fired. Runbook: https://runbooks.invalid/${role}.md`,
    },
    { ...at, ...(deps ? { deps } : {}) },
  );
}

function policyDoc(statements: { Action: string[]; Resource: string | string[] }[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements.map((s) => ({ Effect: "Allow", ...s })) });
}

function bucket(b: Builder, at: { parent: string; region: string }, role: string, bucketName: string): string {
  const r = at.region;
  const urn = b.add("aws:s3/bucket:Bucket", `${r}-${role}`, { bucket: bucketName, tags: { role } }, at);
  b.add(
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    `${r}-${role}-public-access`,
    { bucket: bucketName, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    { ...at, deps: { bucket: [urn] } },
  );
  b.add(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    `${r}-${role}-encryption`,
    { bucket: bucketName, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { ...at, deps: { bucket: [urn] } },
  );
  return urn;
}

function region(b: Builder, r: string, archiveStream: string): void {
  const p = b.add(COMPONENT, r, {}, { region: r, component: true });
  const prefix = `tp-${r}`;
  const at = { parent: p, region: r };

  const destination = b.add(
    "aws:cloudwatch/logDestination:LogDestination",
    `${r}-log-destination`,
    { name: `${prefix}-log-archive`, targetArn: UNKNOWN },
    { ...at, deps: { targetArn: [archiveStream] } },
  );
  const fnSg = b.add("aws:ec2/securityGroup:SecurityGroup", `${r}-function-sg`, { description: "functions" }, at);
  const dbSg = b.add("aws:ec2/securityGroup:SecurityGroup", `${r}-database-sg`, { description: "database" }, at);
  b.add(
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    `${r}-function-to-database`,
    { securityGroupId: "sg-fn", referencedSecurityGroupId: "sg-db", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 },
    { ...at, deps: { securityGroupId: [fnSg], referencedSecurityGroupId: [dbSg] } },
  );
  b.add(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    `${r}-database-from-functions`,
    { securityGroupId: "sg-db", referencedSecurityGroupId: "sg-fn", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 },
    { ...at, deps: { securityGroupId: [dbSg], referencedSecurityGroupId: [fnSg] } },
  );

  const pg = b.add(
    "aws:rds/parameterGroup:ParameterGroup",
    `${r}-db-parameters`,
    { name: `${prefix}-postgres16`, family: "postgres16", parameters: [{ name: "max_connections", value: "100", applyMethod: "pending-reboot" }] },
    at,
  );
  const dbId = `${prefix}-db`;
  b.add(
    "aws:rds/instance:Instance",
    `${r}-db`,
    { identifier: dbId, engine: "postgres", storageEncrypted: true, parameterGroupName: `${prefix}-postgres16`, vpcSecurityGroupIds: ["sg-db"] },
    { ...at, deps: { parameterGroupName: [pg], vpcSecurityGroupIds: [dbSg] } },
  );
  const rds = (metricName: string) => ({ namespace: "AWS/RDS", metricName, dimensions: { DBInstanceIdentifier: dbId } });
  alarm(b, at, "db-connections", rds("DatabaseConnections"));
  alarm(b, at, "db-cpu", rds("CPUUtilization"));
  alarm(b, at, "db-storage", rds("FreeStorageSpace"));
  const secret = `arn:aws:secretsmanager:${r}:${ACCOUNT}:secret:fixture-db-AbCdEf`;

  const uploads = `${prefix}-uploads-${ACCOUNT}`;
  const thumbs = `${prefix}-thumbnails-${ACCOUNT}`;
  const logs = `${prefix}-access-logs-${ACCOUNT}`;
  const uploadBucket = bucket(b, at, "uploads-bucket", uploads);
  const thumbsBucket = bucket(b, at, "thumbnails-bucket", thumbs);
  const logsBucket = bucket(b, at, "access-logs-bucket", logs);
  b.add(
    "aws:s3/bucketLogging:BucketLogging",
    `${r}-uploads-bucket-logging`,
    { bucket: uploads, targetBucket: logs, targetPrefix: "s3/" },
    { ...at, deps: { bucket: [uploadBucket], targetBucket: [logsBucket] } },
  );
  b.add(
    "aws:cloudfront/distribution:Distribution",
    `${r}-cdn`,
    {
      enabled: true,
      origins: [{ originId: "thumbnails", domainName: `${thumbs}.s3.${r}.amazonaws.com` }],
      loggingConfig: { bucket: `${logs}.s3.amazonaws.com`, prefix: "cdn/" },
    },
    { ...at, deps: { origins: [thumbsBucket] } },
  );

  const dlq = b.add("aws:sqs/queue:Queue", `${r}-upload-events-dlq`, { name: `${prefix}-upload-events-dlq`, sqsManagedSseEnabled: true }, at);
  const queue = b.add(
    "aws:sqs/queue:Queue",
    `${r}-upload-events`,
    {
      name: `${prefix}-upload-events`,
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: 360,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${r}:${ACCOUNT}:${prefix}-upload-events-dlq`, maxReceiveCount: 5 }),
    },
    { ...at, deps: { redrivePolicy: [dlq] } },
  );
  b.add(
    "aws:s3/bucketNotification:BucketNotification",
    `${r}-uploads-notification`,
    { bucket: uploads, queues: [{ queueArn: UNKNOWN, events: ["s3:ObjectCreated:*"], filterPrefix: "uploads/" }] },
    { ...at, deps: { bucket: [uploadBucket], queues: [queue] } },
  );
  const sqs = (metricName: string) => ({ namespace: "AWS/SQS", metricName, dimensions: { QueueName: `${prefix}-upload-events-dlq` } });
  alarm(b, at, "upload-events-dlq-depth", sqs("ApproximateNumberOfMessagesVisible"), { dimensions: [dlq] });
  alarm(b, at, "upload-events-dlq-age", sqs("ApproximateAgeOfOldestMessage"), { dimensions: [dlq] });
  alarm(b, at, "canary", { namespace: "Fixture", metricName: "CanarySuccess", threshold: 1 });

  for (const fn of FUNCTIONS) {
    const name = `${prefix}-${fn}`;
    const role = b.add("aws:iam/role:Role", `${r}-${fn}-role`, { name, assumeRolePolicy: "{}" }, at);
    const grants =
      fn === "thumbnails"
        ? [
            { Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${uploads}/*` },
            { Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${thumbs}/*` },
          ]
        : [
            { Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${uploads}/canary/*` },
            { Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${thumbs}/canary/*` },
          ];
    b.add(
      "aws:iam/rolePolicy:RolePolicy",
      `${r}-${fn}-policy`,
      { role: name, policy: policyDoc([...grants, { Action: ["secretsmanager:GetSecretValue"], Resource: secret }]) },
      { ...at, deps: { role: [role] } },
    );
    const group = b.add(
      "aws:cloudwatch/logGroup:LogGroup",
      `${r}-${fn}-logs`,
      { name: `/aws/lambda/${name}`, retentionInDays: 14, kmsKeyId: `arn:aws:kms:${r}:${ACCOUNT}:key/k` },
      at,
    );
    b.add(
      "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
      `${r}-${fn}-log-shipping`,
      { name: `${name}-to-archive`, logGroup: `/aws/lambda/${name}`, filterPattern: "", destinationArn: UNKNOWN },
      { ...at, deps: { logGroup: [group], destinationArn: [destination] } },
    );
    const lambda = b.add(
      "aws:lambda/function:Function",
      `${r}-${fn}`,
      {
        name,
        code: { [SIG]: ARCHIVE_SIG, path: `build/${fn}`, hash: ARCHIVE_HASHES[fn] },
        handler: "index.handler",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        timeout: 60,
        memorySize: 512,
        ...(fn === "canary" ? { reservedConcurrentExecutions: 1 } : {}),
        environment: { variables: { DB_SECRET_ARN: secret, DB_HOST: `${prefix}-db.example`, UPLOAD_BUCKET: uploads, OUTPUT_BUCKET: thumbs } },
        vpcConfig: { securityGroupIds: ["sg-fn"], subnetIds: ["subnet-a"] },
        loggingConfig: { logFormat: "Text", logGroup: `/aws/lambda/${name}` },
        tags: { app: fn },
      },
      { ...at, deps: { role: [role], loggingConfig: [group], vpcConfig: [fnSg] } },
    );
    const lambdaMetric = (metricName: string, threshold?: number) => ({
      namespace: "AWS/Lambda",
      metricName,
      dimensions: { FunctionName: name },
      ...(threshold !== undefined ? { threshold } : {}),
    });
    alarm(b, at, `${fn}-errors`, lambdaMetric("Errors"));
    alarm(b, at, `${fn}-throttles`, lambdaMetric("Throttles"));
    alarm(b, at, `${fn}-duration`, lambdaMetric("Duration", 48_000));
    if (fn === "thumbnails") {
      b.add(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        `${r}-thumbnails-trigger`,
        { functionName: name, eventSourceArn: `arn:aws:sqs:${r}:${ACCOUNT}:${prefix}-upload-events`, scalingConfig: { maximumConcurrency: 20 } },
        { ...at, deps: { functionName: [lambda], eventSourceArn: [queue] } },
      );
    } else {
      const rule = b.add("aws:cloudwatch/eventRule:EventRule", `${r}-canary-schedule`, { scheduleExpression: "rate(5 minutes)" }, at);
      b.add(
        "aws:cloudwatch/eventTarget:EventTarget",
        `${r}-canary-schedule-target`,
        {
          rule: `${prefix}-canary`,
          arn: `arn:aws:lambda:${r}:${ACCOUNT}:function:${name}`,
          deadLetterConfig: { arn: `arn:aws:sqs:${r}:${ACCOUNT}:${prefix}-failed-events` },
        },
        { ...at, deps: { rule: [rule], arn: [lambda] } },
      );
    }
  }
}

/** The plan every policy passes (with FIXTURE_CONFIG). */
export function goodPlan(regions: string[] = ["us-east-1", "eu-central-1"]): PlanFile {
  const b = new Builder();
  const streams = new Map<string, string>();
  for (const archiveRegion of ["us-east-1", "eu-west-1"]) {
    const parent = b.add(ARCHIVE, `log-archive-${archiveRegion}`, {}, { region: archiveRegion, component: true });
    const at = { parent, region: archiveRegion };
    bucket(b, at, "log-archive-bucket", `tp-${archiveRegion}-log-archive-${ACCOUNT}`);
    streams.set(
      archiveRegion,
      b.add(
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        `${archiveRegion}-log-archive-stream`,
        { name: `tp-${archiveRegion}-log-archive`, destination: "extended_s3" },
        at,
      ),
    );
  }
  for (const r of regions) region(b, r, streams.get(r.startsWith("eu-") ? "eu-west-1" : "us-east-1") as string);
  return { stack: STACK, project: PROJECT, resources: b.resources };
}

/** A copy of the plan with one resource's inputs changed, and its outputs with them. */
export function withProps(plan: PlanFile, name: string, change: (props: Props) => void): PlanFile {
  return withResource(plan, name, (r) => change(r.props));
}

/**
 * A copy of the plan with one resource changed (props, dependencies); its
 * outputs follow its inputs, keeping what AWS computed, as after a step.
 */
export function withResource(plan: PlanFile, name: string, change: (r: PlanResource) => void): PlanFile {
  const copy = structuredClone(plan);
  const r = copy.resources.find((x) => x.name === name);
  if (!r) throw new Error(`fixture has no resource ${name}`);
  change(r);
  if (r.outputs !== undefined && !r.type.startsWith("pulumi:providers:") && r.provider !== null) r.outputs = outputsOf(r.type, r.name, r.props, r.region);
  return copy;
}

/** A copy of the plan without the named resources. */
export function without(plan: PlanFile, ...names: string[]): PlanFile {
  for (const n of names) if (!plan.resources.some((r) => r.name === n)) throw new Error(`fixture has no resource ${n}`);
  return { ...plan, resources: plan.resources.filter((r) => !names.includes(r.name)) };
}

/** A copy of the plan with a resource added (its URN made from type and name). */
export function withAdded(plan: PlanFile, resource: Omit<PlanResource, "urn" | "dependencies"> & { dependencies?: string[] }): PlanFile {
  const copy = structuredClone(plan);
  const parentType = resource.parent ? resource.parent.split("::")[2] : undefined;
  const urn = `urn:pulumi:${STACK}::${PROJECT}::${parentType ? `${parentType}$` : ""}${resource.type}::${resource.name}`;
  const outputs = resource.outputs ?? (resource.provider !== null ? outputsOf(resource.type, resource.name, resource.props, resource.region) : undefined);
  copy.resources.push({
    ...resource,
    urn,
    ...(outputs ? { outputs } : {}),
    dependencies: resource.dependencies ?? [...new Set(Object.values(resource.propertyDependencies).flat())].sort(),
  });
  return copy;
}

/** The URN and provider of a fixture resource, to add others beside it. */
export function beside(plan: PlanFile, name: string): { urn: string; parent: string | null; provider: string | null; region: string } {
  const r = plan.resources.find((x) => x.name === name);
  if (!r) throw new Error(`fixture has no resource ${name}`);
  return { urn: r.urn, parent: r.parent, provider: r.provider, region: r.region };
}
