// How the pack finds its way around a stack: resource types, the region and
// role of a resource (docs/contracts.md: regional resources are children of a
// RegionalPipeline named after the region, and are named `<region>-<role>`),
// and indexes by type and URN. Reads names, types and parents only, which are
// always known; property reads happen in the policies, under CheckContext.inspect.
import type { PolicyResource } from "@pulumi/policy";

export const T = {
  lambda: "aws:lambda/function:Function",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  eventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  lambdaPermission: "aws:lambda/permission:Permission",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  subscriptionFilter: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
  logDestination: "aws:cloudwatch/logDestination:LogDestination",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
  kinesisStream: "aws:kinesis/stream:Stream",
  queue: "aws:sqs/queue:Queue",
  topic: "aws:sns/topic:Topic",
  topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
  dbInstance: "aws:rds/instance:Instance",
  dbParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  dbProxy: "aws:rds/proxy:Proxy",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  legacySgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  managedPolicy: "aws:iam/policy:Policy",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketEncryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketAcl: "aws:s3/bucketAclV2:BucketAclV2",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  awsProvider: "pulumi:providers:aws",
} as const;

export const BUCKET_TYPES: readonly string[] = [T.bucket, T.bucketV2];
export const SG_RULE_TYPES: readonly string[] = [T.ingressRule, T.egressRule, T.legacySgRule];

/** An AWS region code: "eu-central-1", "us-gov-west-1", "ap-southeast-4". */
const REGION_RE = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)(?:-(.+))?$/;

export function isRegionalPipeline(r: PolicyResource): boolean {
  return /:RegionalPipeline$/.test(r.type);
}

/** "eu" for eu-central-1: the geography a region belongs to. */
export function geographyOf(region: string): string {
  return region.split("-")[0];
}

/** Region code from an ARN (`arn:aws:logs:eu-west-1:123:...`), if it has one. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts.length > 4 && parts[0] === "arn" && REGION_RE.test(parts[3]) ? parts[3] : undefined;
}

/** The region from a `<region>-<role>` logical name. */
export function regionOfName(name: string): string | undefined {
  return REGION_RE.exec(name)?.[1];
}

/** The RegionalPipeline this resource belongs to, walking up its parents. */
export function pipelineOf(r: PolicyResource): PolicyResource | undefined {
  for (let p: PolicyResource | undefined = r; p !== undefined; p = p.parent) {
    if (isRegionalPipeline(p)) return p;
  }
  return undefined;
}

/**
 * The region a resource is deployed in, from what is known at preview: its
 * RegionalPipeline, then its `<region>-<role>` name. Resources outside every
 * region (providers, global archive, global dashboard) have none.
 */
export function regionOf(r: PolicyResource): string | undefined {
  const pipeline = pipelineOf(r);
  if (pipeline) return pipeline.name;
  return regionOfName(r.name);
}

/** The role a regional resource plays: its name without the `<region>-` prefix. */
export function roleOf(r: PolicyResource): string | undefined {
  const region = regionOf(r);
  if (region === undefined) return undefined;
  return r.name.startsWith(`${region}-`) ? r.name.slice(region.length + 1) : undefined;
}

/** Display name used in every message: `eu-central-1-thumbnails (aws:lambda/function:Function)`. */
export function describe(r: { name: string; type: string }): string {
  return `${r.name} (${r.type})`;
}

/** Indexes a stack's resources once per policy run. */
export class StackIndex {
  private readonly byTypeMap = new Map<string, PolicyResource[]>();
  private readonly byUrnMap = new Map<string, PolicyResource>();

  constructor(readonly resources: readonly PolicyResource[]) {
    for (const r of resources) {
      this.byUrnMap.set(r.urn, r);
      const list = this.byTypeMap.get(r.type) ?? [];
      list.push(r);
      this.byTypeMap.set(r.type, list);
    }
  }

  ofType(...types: string[]): PolicyResource[] {
    return types.flatMap((t) => this.byTypeMap.get(t) ?? []);
  }

  byUrn(urn: string): PolicyResource | undefined {
    return this.byUrnMap.get(urn);
  }

  /** Regions of the stack: one RegionalPipeline component each, sorted. */
  regions(): string[] {
    return this.resources
      .filter(isRegionalPipeline)
      .map((r) => r.name)
      .sort();
  }

  pipeline(region: string): PolicyResource | undefined {
    return this.resources.find((r) => isRegionalPipeline(r) && r.name === region);
  }

  /** Resources this one's property `key` was computed from (e.g. a filter's destinationArn). */
  dependenciesOf(r: PolicyResource, key: string): PolicyResource[] {
    return r.propertyDependencies[key] ?? [];
  }

  /**
   * Does `r`'s property `key` point at `target`? Decided by the property's
   * dependencies when it has any (known even at preview), else by `sameValue`,
   * which compares the property's value (for names given as plain strings).
   */
  refersTo(r: PolicyResource, key: string, target: PolicyResource, sameValue: () => boolean): boolean {
    const deps = this.dependenciesOf(r, key);
    return deps.length > 0 ? deps.some((d) => d.urn === target.urn) : sameValue();
  }
}

/** The region for a message: the resource's region, or "(global)" for stack-wide resources. */
export function regionLabel(r: PolicyResource): string {
  return regionOf(r) ?? "(global)";
}
