// How the pack finds its way around a stack of any Pulumi AWS program: the
// resource types it knows, indexes by type, URN and parent, what a property
// refers to, and the region of every resource (its provider's region; for a
// component, the one region of its children). It never relies on the names a
// program gives its resources.
import type { PolicyResource } from "@pulumi/policy";
import { defaultProviderRegion } from "./regions";
import { readIfKnown } from "./runtime";

export const T = {
  lambda: "aws:lambda/function:Function",
  layerVersion: "aws:lambda/layerVersion:LayerVersion",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  eventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  lambdaPermission: "aws:lambda/permission:Permission",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  subscriptionFilter: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
  logDestination: "aws:cloudwatch/logDestination:LogDestination",
  logDeliverySource: "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  schedule: "aws:scheduler/schedule:Schedule",
  sesReceiptRule: "aws:ses/receiptRule:ReceiptRule",
  iotTopicRule: "aws:iot/topicRule:TopicRule",
  firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
  kinesisStream: "aws:kinesis/stream:Stream",
  queue: "aws:sqs/queue:Queue",
  topic: "aws:sns/topic:Topic",
  topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
  dbInstance: "aws:rds/instance:Instance",
  dbCluster: "aws:rds/cluster:Cluster",
  dbParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  dbProxy: "aws:rds/proxy:Proxy",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  legacySgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  flowLog: "aws:ec2/flowLog:FlowLog",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  managedPolicy: "aws:iam/policy:Policy",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketEncryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketAcl: "aws:s3/bucketAcl:BucketAcl",
  bucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
  bucketLogging: "aws:s3/bucketLogging:BucketLogging",
  bucketLoggingV2: "aws:s3/bucketLoggingV2:BucketLoggingV2",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  distribution: "aws:cloudfront/distribution:Distribution",
  originAccessIdentity: "aws:cloudfront/originAccessIdentity:OriginAccessIdentity",
  ecsTaskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  restApi: "aws:apigateway/restApi:RestApi",
  restResource: "aws:apigateway/resource:Resource",
  restMethod: "aws:apigateway/method:Method",
  restIntegration: "aws:apigateway/integration:Integration",
  restStage: "aws:apigateway/stage:Stage",
  httpApi: "aws:apigatewayv2/api:Api",
  httpStage: "aws:apigatewayv2/stage:Stage",
  httpRoute: "aws:apigatewayv2/route:Route",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  eksCluster: "aws:eks/cluster:Cluster",
  awsProvider: "pulumi:providers:aws",
} as const;

export const BUCKET_TYPES: readonly string[] = [T.bucket, T.bucketV2];
export const BUCKET_ACL_TYPES: readonly string[] = [T.bucketAcl, T.bucketAclV2];
export const BUCKET_LOGGING_TYPES: readonly string[] = [T.bucketLogging, T.bucketLoggingV2];
export const BUCKET_ENCRYPTION_TYPES: readonly string[] = [T.bucketEncryption, T.bucketEncryptionV2];
export const SG_RULE_TYPES: readonly string[] = [T.ingressRule, T.egressRule, T.legacySgRule];
export const ALARM_TYPES: readonly string[] = [T.metricAlarm, T.compositeAlarm];

/** Shown where a resource's region cannot be told (no provider region, no `aws:region`, no AWS_REGION). */
export const UNKNOWN_REGION = "(unknown region)";

/** The parts of a resource a finding names. */
export interface Subject {
  urn: string;
  name: string;
  type: string;
}

/** Display name used in every message: `us-east-1-thumbnails (aws:lambda/function:Function)`. */
export function describe(r: { name: string; type: string }): string {
  return `${r.name} (${r.type})`;
}

export function isProvider(r: { type: string }): boolean {
  return r.type.startsWith("pulumi:providers:");
}

/** A resource of the AWS provider's packages (a custom resource even where a driver sent no provider with it). */
function isAwsResourceType(type: string): boolean {
  return type.startsWith("aws:") || type.startsWith("aws-native:");
}

/** The `region` a provider's properties name, when known. */
export function providerRegion(provider: { props: Record<string, unknown> } | undefined): string | undefined {
  if (!provider) return undefined;
  const read = readIfKnown(() => provider.props.region);
  return read.known && typeof read.value === "string" && read.value !== "" ? read.value : undefined;
}

/**
 * The region of a custom resource as the engine deploys it: its provider's
 * `region`, else, for a provider that names none (the default provider), the
 * stack's `aws:region` or the environment the provider would read.
 */
export function customResourceRegion(r: { type: string; props: Record<string, unknown>; provider?: { props: Record<string, unknown> } }): string | undefined {
  if (isProvider(r)) return providerRegion(r) ?? defaultProviderRegion();
  return providerRegion(r.provider) ?? (r.provider || isAwsResourceType(r.type) ? defaultProviderRegion() : undefined);
}

/** Indexes a stack's resources once per policy run. */
export class StackIndex {
  private readonly byTypeMap = new Map<string, PolicyResource[]>();
  private readonly byUrnMap = new Map<string, PolicyResource>();
  private readonly childrenMap = new Map<string, PolicyResource[]>();
  private readonly regionCache = new Map<string, string | undefined>();

  constructor(readonly resources: readonly PolicyResource[]) {
    for (const r of resources) {
      this.byUrnMap.set(r.urn, r);
      this.byTypeMap.set(r.type, [...(this.byTypeMap.get(r.type) ?? []), r]);
      if (r.parent) this.childrenMap.set(r.parent.urn, [...(this.childrenMap.get(r.parent.urn) ?? []), r]);
    }
  }

  ofType(...types: readonly string[]): PolicyResource[] {
    return types.flatMap((t) => this.byTypeMap.get(t) ?? []);
  }

  byUrn(urn: string): PolicyResource | undefined {
    return this.byUrnMap.get(urn);
  }

  childrenOf(r: PolicyResource): PolicyResource[] {
    return this.childrenMap.get(r.urn) ?? [];
  }

  /** A custom resource's region (see customResourceRegion); a component's is the one region all its descendants share. */
  regionOf(r: PolicyResource): string | undefined {
    if (this.regionCache.has(r.urn)) return this.regionCache.get(r.urn);
    let region: string | undefined;
    if (r.provider || isProvider(r) || isAwsResourceType(r.type)) region = customResourceRegion(r);
    else {
      const regions = new Set(this.childrenOf(r).map((c) => this.regionOf(c) ?? UNKNOWN_REGION));
      region = regions.size === 1 ? [...regions][0] : undefined;
      if (region === UNKNOWN_REGION) region = undefined;
    }
    this.regionCache.set(r.urn, region);
    return region;
  }

  /** The region for a message. */
  regionLabel(r: PolicyResource): string {
    return this.regionOf(r) ?? UNKNOWN_REGION;
  }

  /** Regions in which the stack deploys anything (providers aside), sorted. */
  regions(): string[] {
    const set = new Set<string>();
    for (const r of this.resources) {
      if (isProvider(r) || !(r.provider || isAwsResourceType(r.type))) continue;
      const region = this.regionOf(r);
      if (region) set.add(region);
    }
    return [...set].sort();
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
