// A hand-built plan that follows docs/contracts.md (names `<region>-<role>`
// under a RegionalPipeline per region, alarm names, tags, environment) and
// passes every policy; tests break one thing at a time. Two regions: us-east-1
// ships logs to the central archive, eu-central-1 is a residency region with
// its own EU archive. Props are in wire form, like `npm run plan` writes them.
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeSourceHash, type BuildManifest } from "../../tools/build/manifest";
import type { Json, PlanFile, PlanResource } from "../../tools/plan/plan-stack";

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG = "4dabf18193072939515e22adb298388d";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const ACCOUNT = "123456789012";
const STACK = "test";
const PROJECT = "thumbnail-pipeline";
const PIPELINE = "thumbnail-pipeline:index:RegionalPipeline";
const ARCHIVE = "thumbnail-pipeline:index:CentralLogArchive";
export const FUNCTIONS = ["thumbnails", "canary"] as const;
export const BUNDLE_HASHES: Record<string, string> = { thumbnails: "a".repeat(64), canary: "c".repeat(64) };

type Props = Record<string, Json>;

class Builder {
  readonly resources: PlanResource[] = [];

  add(type: string, name: string, props: Props, o: { parent?: string; deps?: Record<string, string[]>; region?: string } = {}): string {
    const parentType = o.parent ? o.parent.split("::")[2] : undefined;
    const urn = `urn:pulumi:${STACK}::${PROJECT}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
    const deps = o.deps ?? {};
    this.resources.push({
      urn,
      type,
      name,
      region: o.region ?? "global",
      parent: o.parent ?? null,
      provider: null,
      props,
      dependencies: [...new Set(Object.values(deps).flat())].sort(),
      propertyDependencies: deps,
    });
    return urn;
  }
}

const alarm = (b: Builder, parent: string, region: string, role: string, name: string) =>
  b.add(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    `${region}-${role}`,
    { name, alarmActions: [`arn:aws:sns:${region}:${ACCOUNT}:alerts`], alarmDescription: `${name} fired. Runbook: https://example.org/runbooks/${role}.md`, threshold: 1 },
    { parent, region },
  );

function policyDoc(statements: { Action: string[]; Resource: string | string[] }[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements.map((s) => ({ Effect: "Allow", ...s })) });
}

function region(b: Builder, r: string, archiveStream: string): void {
  const p = b.add(PIPELINE, r, {}, { region: r });
  const prefix = `tp-${r}`;
  const residency: Props = r.startsWith("eu-") ? { "pipeline:residency": "legal" } : {};
  const tags = (role: string): Props => ({ "pipeline:stack": STACK, "pipeline:region": r, "pipeline:role": role, ...residency });
  const at = { parent: p, region: r };

  const destination = b.add("aws:cloudwatch/logDestination:LogDestination", `${r}-log-destination`, { name: `${prefix}-log-archive`, targetArn: `arn:aws:firehose:x`, tags: tags("log-destination") }, { ...at, deps: { targetArn: [archiveStream] } });
  const fnSg = b.add("aws:ec2/securityGroup:SecurityGroup", `${r}-function-sg`, { description: "functions", tags: tags("function-sg") }, at);
  const dbSg = b.add("aws:ec2/securityGroup:SecurityGroup", `${r}-database-sg`, { description: "database", tags: tags("database-sg") }, at);
  b.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", `${r}-function-to-database`, { securityGroupId: "sg-fn", referencedSecurityGroupId: "sg-db", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 }, { ...at, deps: { securityGroupId: [fnSg], referencedSecurityGroupId: [dbSg] } });
  b.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${r}-database-from-functions`, { securityGroupId: "sg-db", referencedSecurityGroupId: "sg-fn", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 }, { ...at, deps: { securityGroupId: [dbSg], referencedSecurityGroupId: [fnSg] } });

  const pg = b.add("aws:rds/parameterGroup:ParameterGroup", `${r}-db-parameters`, { name: `${prefix}-postgres16`, family: "postgres16", parameters: [{ name: "max_connections", value: "100", applyMethod: "pending-reboot" }] }, at);
  b.add("aws:rds/instance:Instance", `${r}-db`, { identifier: `${prefix}-db`, engine: "postgres", storageEncrypted: true, parameterGroupName: `${prefix}-postgres16`, vpcSecurityGroupIds: ["sg-db"], tags: tags("db") }, { ...at, deps: { parameterGroupName: [pg], vpcSecurityGroupIds: [dbSg] } });
  for (const k of ["connections", "cpu", "storage"]) alarm(b, p, r, `db-${k}-alarm`, `${prefix}-db-${k}`);
  const secret = `arn:aws:secretsmanager:${r}:${ACCOUNT}:secret:rds!db-1234-AbCdEf`;

  const raw = `${prefix}-raw-${ACCOUNT}`;
  const thumbs = `${prefix}-thumbnails-${ACCOUNT}`;
  for (const [role, bucketName] of [["raw-bucket", raw], ["thumbnails-bucket", thumbs]] as const) {
    const bucket = b.add("aws:s3/bucket:Bucket", `${r}-${role}`, { bucket: bucketName, tags: tags(role) }, at);
    b.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${r}-${role}-public-access`, { bucket: bucketName, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, { ...at, deps: { bucket: [bucket] } });
    b.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${r}-${role}-encryption`, { bucket: bucketName, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, { ...at, deps: { bucket: [bucket] } });
  }

  const dlq = b.add("aws:sqs/queue:Queue", `${r}-raw-events-dlq`, { name: `${prefix}-raw-events-dlq`, sqsManagedSseEnabled: true }, at);
  const queue = b.add(
    "aws:sqs/queue:Queue",
    `${r}-raw-events`,
    { name: `${prefix}-raw-events`, sqsManagedSseEnabled: true, visibilityTimeoutSeconds: 360, redrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${r}:${ACCOUNT}:${prefix}-raw-events-dlq`, maxReceiveCount: 5 }) },
    { ...at, deps: { redrivePolicy: [dlq] } },
  );
  alarm(b, p, r, "raw-events-dlq-depth-alarm", `${prefix}-raw-events-dlq-depth`);
  alarm(b, p, r, "raw-events-age-alarm", `${prefix}-raw-events-age`);
  alarm(b, p, r, "canary-alarm", `${prefix}-canary`);

  for (const fn of FUNCTIONS) {
    const name = `${prefix}-${fn}`;
    const role = b.add("aws:iam/role:Role", `${r}-${fn}-role`, { name, assumeRolePolicy: "{}", tags: tags(`${fn}-role`) }, at);
    const grants =
      fn === "thumbnails"
        ? [{ Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${raw}/*` }, { Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${thumbs}/*` }]
        : [{ Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${raw}/canary/*` }, { Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${thumbs}/canary/*` }];
    b.add("aws:iam/rolePolicy:RolePolicy", `${r}-${fn}-policy`, { role: name, policy: policyDoc([...grants, { Action: ["secretsmanager:GetSecretValue"], Resource: secret }]) }, { ...at, deps: { role: [role] } });
    const group = b.add("aws:cloudwatch/logGroup:LogGroup", `${r}-${fn}-logs`, { name: `/aws/lambda/${name}`, retentionInDays: 14, kmsKeyId: `arn:aws:kms:${r}:${ACCOUNT}:key/k`, tags: tags(`${fn}-logs`) }, at);
    b.add("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", `${r}-${fn}-log-shipping`, { name: `${name}-to-archive`, logGroup: `/aws/lambda/${name}`, filterPattern: "", destinationArn: `arn:aws:logs:${r}:${ACCOUNT}:destination:${prefix}-log-archive` }, { ...at, deps: { logGroup: [group], destinationArn: [destination] } });
    const lambda = b.add(
      "aws:lambda/function:Function",
      `${r}-${fn}`,
      {
        name,
        code: { [SIG]: ARCHIVE_SIG, path: `dist/${fn}` },
        handler: "index.handler",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        timeout: 60,
        memorySize: 512,
        ...(fn === "canary" ? { reservedConcurrentExecutions: 1 } : {}),
        environment: { variables: { POWERTOOLS_SERVICE_NAME: fn, DB_SECRET_ARN: secret, DB_HOST: `${prefix}-db.example`, RAW_BUCKET: raw, THUMBNAILS_BUCKET: thumbs } },
        vpcConfig: { securityGroupIds: ["sg-fn"], subnetIds: ["subnet-a"] },
        loggingConfig: { logFormat: "Text", logGroup: `/aws/lambda/${name}` },
        tags: { ...tags(fn), "pipeline:function": fn, "pipeline:bundle-hash": BUNDLE_HASHES[fn], "pipeline:commit": "abc" },
      },
      { ...at, deps: { role: [role], loggingConfig: [group], vpcConfig: [fnSg] } },
    );
    for (const kind of ["errors", "throttles", "duration", "memory", "oom"]) alarm(b, p, r, `${fn}-${kind}-alarm`, `${name}-${kind}`);
    if (fn === "thumbnails") {
      b.add("aws:lambda/eventSourceMapping:EventSourceMapping", `${r}-thumbnails-trigger`, { functionName: name, eventSourceArn: `arn:aws:sqs:${r}:${ACCOUNT}:${prefix}-raw-events`, scalingConfig: { maximumConcurrency: 20 } }, { ...at, deps: { functionName: [lambda], eventSourceArn: [queue] } });
    } else {
      const rule = b.add("aws:cloudwatch/eventRule:EventRule", `${r}-canary-schedule`, { scheduleExpression: "rate(5 minutes)" }, at);
      b.add("aws:cloudwatch/eventTarget:EventTarget", `${r}-canary-schedule-target`, { rule: `${prefix}-canary`, arn: `arn:aws:lambda:${r}:${ACCOUNT}:function:${name}`, deadLetterConfig: { arn: `arn:aws:sqs:${r}:${ACCOUNT}:${prefix}-failed-events` } }, { ...at, deps: { rule: [rule], arn: [lambda] } });
    }
  }
}

/** The plan every policy passes. */
export function goodPlan(regions: string[] = ["us-east-1", "eu-central-1"]): PlanFile {
  const b = new Builder();
  const streams = new Map<string, string>();
  for (const archiveRegion of ["us-east-1", "eu-west-1"]) {
    const parent = b.add(ARCHIVE, `log-archive-${archiveRegion}`, {}, { region: archiveRegion });
    const bucket = b.add("aws:s3/bucket:Bucket", `${archiveRegion}-log-archive-bucket`, { bucket: `tp-${archiveRegion}-log-archive` }, { parent, region: archiveRegion });
    b.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${archiveRegion}-log-archive-bucket-encryption`, { bucket: `tp-${archiveRegion}-log-archive`, rules: [] }, { parent, region: archiveRegion, deps: { bucket: [bucket] } });
    streams.set(archiveRegion, b.add("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", `${archiveRegion}-log-archive-stream`, { name: `tp-${archiveRegion}-log-archive`, destination: "extended_s3", tags: { "pipeline:region": archiveRegion } }, { parent, region: archiveRegion }));
  }
  for (const r of regions) region(b, r, streams.get(r.startsWith("eu-") ? "eu-west-1" : "us-east-1") as string);
  return { stack: STACK, project: PROJECT, resources: b.resources };
}

/** A copy of the plan with one resource's props changed. */
export function withProps(plan: PlanFile, name: string, change: (props: Props) => void): PlanFile {
  const copy = structuredClone(plan);
  const r = copy.resources.find((x) => x.name === name);
  if (!r) throw new Error(`fixture has no resource ${name}`);
  change(r.props);
  return copy;
}

/** A copy of the plan with one resource changed (props, dependencies). */
export function withResource(plan: PlanFile, name: string, change: (r: PlanResource) => void): PlanFile {
  const copy = structuredClone(plan);
  const r = copy.resources.find((x) => x.name === name);
  if (!r) throw new Error(`fixture has no resource ${name}`);
  change(r);
  return copy;
}

/** A copy of the plan without the named resources. */
export function without(plan: PlanFile, ...names: string[]): PlanFile {
  for (const n of names) if (!plan.resources.some((r) => r.name === n)) throw new Error(`fixture has no resource ${n}`);
  return { ...plan, resources: plan.resources.filter((r) => !names.includes(r.name)) };
}

/** A checkout holding only a fresh dist/manifest.json with the fixture's bundles, for working-build. */
export function fixtureRepo(hashes: Record<string, string> = BUNDLE_HASHES): string {
  const root = mkdtempSync(join(tmpdir(), "snowflake-guard-"));
  mkdirSync(join(root, "dist"));
  const functions = Object.fromEntries(
    Object.entries(hashes).map(([fn, bundleHash]) => [fn, { directory: fn, handler: "index.handler", bundleHash, archiveHash: bundleHash, files: [], nativePackages: [] }]),
  );
  const manifest: BuildManifest = { schemaVersion: 1, architecture: "arm64", runtime: "nodejs22.x", sourceHash: computeSourceHash(root), esbuildVersion: "0", sharpVersion: "0", functions };
  writeFileSync(join(root, "dist", "manifest.json"), JSON.stringify(manifest));
  return root;
}
