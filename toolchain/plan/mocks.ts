// The one set of Pulumi mocks for AWS programs: `npm run plan`, `npm run check`
// (this program or any other with --program) and the infra tests share it.
//   - Resources echo their inputs as outputs, plus a plausible id, ARN and the
//     other computed outputs policies read, in the partition, region and
//     account of the resource's provider: an explicit provider's `region`, or
//     the stack's `aws:region` for the default provider.
//   - A name the provider would generate (its autonaming: logical name and 7
//     hex characters) is filled in where the program gives none; it is known
//     at preview, so it is there on a first preview too.
//   - The data sources programs commonly call are answered; any other names
//     itself in an error.
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

type MockResourceArgs = pulumi.runtime.MockResourceArgs;
type MockCallArgs = pulumi.runtime.MockCallArgs;
type State = Record<string, unknown>;

export const MOCK_ACCOUNT_ID = "123456789012";
const PROVIDER_TYPE = "pulumi:providers:aws";
/** Where the mocks put a default-provider resource when no region is configured (unit tests of ARNs). */
const FALLBACK_REGION = "us-east-1";

export class MockError extends Error {
  /** The SDK reports a failed RPC by its gRPC `details`, which a mock error must carry too. */
  readonly details: string;
  constructor(message: string) {
    super(message);
    this.details = message;
  }
}

export interface MockOptions {
  accountId?: string;
  /** The default provider's region: the stack's `aws:region`. */
  defaultRegion?: string;
  /** SSM parameters by full name, e.g. `{ "/thumbnail-pipeline/dev/eu-central-1/memory-floor/<fn>": "384" }`. */
  ssmParameters?: Record<string, string | number>;
  /**
   * Like a first `pulumi preview`: resources report only their inputs (and
   * generated names), so computed outputs (ARNs, ids, URLs) stay unknown.
   */
  unknownOutputs?: boolean;
}

/** The input the AWS provider fills with a generated name when the program leaves it out. */
const AUTONAMED: Record<string, string> = {
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:rds/instance:Instance": "identifier",
  "aws:rds/cluster:Cluster": "clusterIdentifier",
  "aws:ecs/taskDefinition:TaskDefinition": "family",
  "aws:lambda/permission:Permission": "statementId",
  ...Object.fromEntries(
    [
      "aws:lambda/function:Function",
      "aws:lambda/layerVersion:LayerVersion",
      "aws:sqs/queue:Queue",
      "aws:sns/topic:Topic",
      "aws:iam/role:Role",
      "aws:iam/policy:Policy",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/user:User",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
      "aws:cloudwatch/logDestination:LogDestination",
      "aws:cloudwatch/eventRule:EventRule",
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      "aws:ecs/cluster:Cluster",
      "aws:ecs/service:Service",
      "aws:ecr/repository:Repository",
      "aws:apigateway/restApi:RestApi",
      "aws:apigatewayv2/api:Api",
      "aws:ec2/securityGroup:SecurityGroup",
      "aws:dynamodb/table:Table",
      "aws:kinesis/stream:Stream",
      "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
      "aws:sfn/stateMachine:StateMachine",
      "aws:rds/parameterGroup:ParameterGroup",
      "aws:rds/subnetGroup:SubnetGroup",
      "aws:rds/proxy:Proxy",
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:lb/targetGroup:TargetGroup",
      "aws:ssm/parameter:Parameter",
      "aws:secretsmanager/secret:Secret",
      "aws:scheduler/schedule:Schedule",
    ].map((t) => [t, "name"]),
  ),
};

/** The input the provider fills in with a generated name for this type, if any. */
export function autonamedInput(type: string): string | undefined {
  return AUTONAMED[type];
}

function hash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function str(v: unknown, fallback: string): string {
  return typeof v === "string" && v.length > 0 ? v : fallback;
}

export interface Partition {
  partition: string;
  dnsSuffix: string;
  reverseDnsPrefix: string;
}

export function partitionOf(region: string): Partition {
  if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" };
  if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
  return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
}

interface Conditionish {
  test?: string;
  variable?: string;
  values?: string[];
}
interface Principalish {
  type?: string;
  identifiers?: string[];
}
interface Statementish {
  sid?: string;
  effect?: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: Principalish[];
  notPrincipals?: Principalish[];
  conditions?: Conditionish[];
}

const one = (xs: string[]): string | string[] => (xs.length === 1 ? xs[0] : xs);

function principals(ps: Principalish[]): unknown {
  if (ps.length === 1 && ps[0].type === "*" && (ps[0].identifiers ?? []).every((i) => i === "*")) return "*";
  const out: Record<string, string | string[]> = {};
  for (const p of ps) out[p.type ?? "AWS"] = one([...((out[p.type ?? "AWS"] as string[] | undefined) ?? []), ...(p.identifiers ?? [])].flat());
  return out;
}

/** aws.iam.getPolicyDocument: the statements as an IAM policy document. */
function policyDocument(inputs: State): { json: string; minifiedJson: string } {
  const statements = ((inputs.statements ?? []) as Statementish[]).map((s) => {
    const st: Record<string, unknown> = {};
    if (s.sid) st.Sid = s.sid;
    st.Effect = s.effect ?? "Allow";
    if (s.actions?.length) st.Action = one(s.actions);
    if (s.notActions?.length) st.NotAction = one(s.notActions);
    if (s.resources?.length) st.Resource = one(s.resources);
    if (s.notResources?.length) st.NotResource = one(s.notResources);
    if (s.principals?.length) st.Principal = principals(s.principals);
    if (s.notPrincipals?.length) st.NotPrincipal = principals(s.notPrincipals);
    if (s.conditions?.length) {
      const cond: Record<string, Record<string, string | string[]>> = {};
      for (const c of s.conditions) (cond[c.test ?? ""] ??= {})[c.variable ?? ""] = one(c.values ?? []);
      st.Condition = cond;
    }
    return st;
  });
  const doc = { Version: str(inputs.version, "2012-10-17"), ...(inputs.policyId ? { Id: inputs.policyId } : {}), Statement: statements };
  return { json: JSON.stringify(doc, null, 2), minifiedJson: JSON.stringify(doc) };
}

export class AwsMocks implements pulumi.runtime.Mocks {
  readonly accountId: string;
  private readonly providerRegions = new Map<string, string>();

  constructor(private readonly options: MockOptions = {}) {
    this.accountId = options.accountId ?? MOCK_ACCOUNT_ID;
  }

  /** Region of a provider reference (`<urn>::<id>`; mock provider ids are registered below), or the default provider's. */
  regionOf(providerRef: string | undefined): string {
    if (!providerRef) return this.options.defaultRegion ?? FALLBACK_REGION;
    return this.providerRegions.get(providerRef.slice(providerRef.lastIndexOf("::") + 2)) ?? this.options.defaultRegion ?? FALLBACK_REGION;
  }

  newResource(args: MockResourceArgs): { id: string; state: State } {
    const inputs = (args.inputs ?? {}) as State;
    if (args.type === PROVIDER_TYPE) {
      const id = `provider-${args.name}`;
      this.providerRegions.set(id, str(inputs.region, this.options.defaultRegion ?? FALLBACK_REGION));
      return { id, state: inputs };
    }
    const region = this.regionOf(args.provider);
    const { id, outputs } = this.outputsFor(args.type, args.name, inputs, region);
    const key = autonamedInput(args.type);
    const prefixed = key && (inputs[`${key}Prefix`] !== undefined || inputs.namePrefix !== undefined);
    const generated =
      key && inputs[key] === undefined && typeof outputs[key] === "string"
        ? { [key]: prefixed ? `${String(inputs[`${key}Prefix`] ?? inputs.namePrefix)}${hash(args.name, 7)}` : outputs[key] }
        : {};
    if (this.options.unknownOutputs) return { id, state: { ...inputs, ...generated } };
    return { id, state: { ...inputs, ...outputs, ...generated } };
  }

  private outputsFor(type: string, logical: string, inputs: State, region: string): { id: string; outputs: State } {
    const acct = this.accountId;
    const { partition, dnsSuffix } = partitionOf(region);
    const h = hash(`${type}/${logical}`, 17);
    const name = str(inputs.name, `${logical}-${h.slice(0, 7)}`);
    const [pkgModule, kind] = type.split(":").slice(1);
    const service = (pkgModule ?? "").split("/")[0];
    const arn = (resource: string, svc = service, r: string = region) => `arn:${partition}:${svc}:${r}:${acct}:${resource}`;
    const global = (svc: string, resource: string) => `arn:${partition}:${svc}::${acct}:${resource}`;
    switch (type) {
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2": {
        const bucket = str(inputs.bucket, `${logical}-${h.slice(0, 7)}`);
        return {
          id: bucket,
          outputs: {
            bucket,
            arn: `arn:${partition}:s3:::${bucket}`,
            bucketDomainName: `${bucket}.s3.${dnsSuffix}`,
            bucketRegionalDomainName: `${bucket}.s3.${region}.${dnsSuffix}`,
            region,
            hostedZoneId: "Z3AQBSTGFYJSTF",
          },
        };
      }
      case "aws:sqs/queue:Queue":
        return {
          id: `https://sqs.${region}.${dnsSuffix}/${acct}/${name}`,
          outputs: { name, arn: arn(name), url: `https://sqs.${region}.${dnsSuffix}/${acct}/${name}` },
        };
      case "aws:lambda/function:Function":
        return {
          id: name,
          outputs: {
            name,
            arn: arn(`function:${name}`),
            invokeArn: `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${arn(`function:${name}`)}/invocations`,
            qualifiedArn: arn(`function:${name}:$LATEST`),
            version: "$LATEST",
          },
        };
      case "aws:lambda/permission:Permission":
        return { id: str(inputs.statementId, `${logical}-${h.slice(0, 7)}`), outputs: { statementId: str(inputs.statementId, `${logical}-${h.slice(0, 7)}`) } };
      case "aws:lambda/layerVersion:LayerVersion":
        return { id: arn(`layer:${name}:1`), outputs: { name, arn: arn(`layer:${name}:1`), layerArn: arn(`layer:${name}`), version: "1" } };
      case "aws:rds/instance:Instance": {
        const identifier = str(inputs.identifier, name);
        const address = `${identifier}.c${h.slice(0, 11)}.${region}.rds.${dnsSuffix}`;
        return {
          id: identifier,
          outputs: {
            identifier,
            address,
            port: 5432,
            endpoint: `${address}:5432`,
            arn: arn(`db:${identifier}`),
            resourceId: `db-${h.toUpperCase()}`,
            masterUserSecrets: [
              { secretArn: arn(`secret:rds!db-${h.slice(0, 8)}-AbCdEf`, "secretsmanager"), kmsKeyId: arn(`key/${h}`, "kms"), secretStatus: "active" },
            ],
          },
        };
      }
      case "aws:rds/parameterGroup:ParameterGroup":
        return { id: name, outputs: { name, arn: arn(`pg:${name}`) } };
      case "aws:rds/subnetGroup:SubnetGroup":
        return { id: name, outputs: { name, arn: arn(`subgrp:${name}`) } };
      case "aws:rds/proxy:Proxy":
        return { id: name, outputs: { name, arn: arn(`db-proxy:prx-${h}`), endpoint: `${name}.proxy-c${h.slice(0, 11)}.${region}.rds.${dnsSuffix}` } };
      case "aws:cloudfront/distribution:Distribution": {
        const id = `E${h.slice(0, 13).toUpperCase()}`;
        return {
          id,
          outputs: { arn: global("cloudfront", `distribution/${id}`), domainName: `d${h.slice(0, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2" },
        };
      }
      case "aws:iam/role:Role":
        return { id: name, outputs: { name, arn: global("iam", `role/${name}`), uniqueId: `AROA${h.toUpperCase()}` } };
      case "aws:iam/policy:Policy":
        return { id: global("iam", `policy/${name}`), outputs: { name, arn: global("iam", `policy/${name}`), policyId: `ANPA${h.toUpperCase()}` } };
      case "aws:iam/user:User":
        return { id: name, outputs: { name, arn: global("iam", `user/${name}`), uniqueId: `AIDA${h.toUpperCase()}` } };
      case "aws:iam/rolePolicy:RolePolicy":
        return { id: `${str(inputs.role, "role")}:${name}`, outputs: { name } };
      case "aws:cloudwatch/logGroup:LogGroup":
        return { id: name, outputs: { name, arn: arn(`log-group:${name}`, "logs") } };
      case "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter":
        return { id: `cwlsf-${h.slice(0, 10)}`, outputs: { name } };
      case "aws:cloudwatch/logDestination:LogDestination":
        return { id: name, outputs: { name, arn: arn(`destination:${name}`, "logs") } };
      case "aws:cloudwatch/eventRule:EventRule":
        return { id: name, outputs: { name, arn: arn(`rule/${name}`, "events") } };
      case "aws:cloudwatch/metricAlarm:MetricAlarm":
        return { id: name, outputs: { name, arn: arn(`alarm:${name}`, "cloudwatch") } };
      case "aws:cloudwatch/dashboard:Dashboard":
        return { id: str(inputs.dashboardName, name), outputs: { dashboardArn: global("cloudwatch", `dashboard/${str(inputs.dashboardName, name)}`) } };
      case "aws:sns/topic:Topic":
        return { id: arn(name), outputs: { name, arn: arn(name) } };
      case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
        return { id: arn(`deliverystream/${name}`, "firehose"), outputs: { name, arn: arn(`deliverystream/${name}`, "firehose") } };
      case "aws:kinesis/stream:Stream":
        return { id: name, outputs: { name, arn: arn(`stream/${name}`) } };
      case "aws:kms/key:Key": {
        const keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(1, 4)}-${h.slice(4, 16)}`;
        return { id: keyId, outputs: { keyId, arn: arn(`key/${keyId}`) } };
      }
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        return {
          id: `vpce-${h}`,
          outputs: { arn: arn(`vpc-endpoint/vpce-${h}`, "ec2"), prefixListId: inputs.vpcEndpointType === "Gateway" ? `pl-${h.slice(0, 8)}` : undefined },
        };
      case "aws:ecs/cluster:Cluster":
        return { id: arn(`cluster/${name}`), outputs: { name, arn: arn(`cluster/${name}`) } };
      case "aws:ecs/service:Service":
        return { id: arn(`service/${name}`), outputs: { name } };
      case "aws:ecs/taskDefinition:TaskDefinition": {
        const family = str(inputs.family, `${logical}-${h.slice(0, 7)}`);
        return { id: family, outputs: { family, arn: arn(`task-definition/${family}:1`), arnWithoutRevision: arn(`task-definition/${family}`), revision: 1 } };
      }
      case "aws:ecr/repository:Repository":
        return {
          id: name,
          outputs: { name, arn: arn(`repository/${name}`), repositoryUrl: `${acct}.dkr.ecr.${region}.${dnsSuffix}/${name}`, registryId: acct },
        };
      case "aws:apigateway/restApi:RestApi": {
        const id = h.slice(0, 10);
        return {
          id,
          outputs: {
            name,
            arn: `arn:${partition}:apigateway:${region}::/restapis/${id}`,
            executionArn: arn(id, "execute-api"),
            rootResourceId: h.slice(10, 16),
          },
        };
      }
      case "aws:apigateway/stage:Stage":
        return {
          id: `ags-${h.slice(0, 10)}`,
          outputs: {
            arn: `arn:${partition}:apigateway:${region}::/restapis/${String(inputs.restApi ?? "api")}/stages/${String(inputs.stageName ?? "stage")}`,
            invokeUrl: `https://${String(inputs.restApi ?? "api")}.execute-api.${region}.${dnsSuffix}/${String(inputs.stageName ?? "stage")}`,
          },
        };
      case "aws:apigatewayv2/api:Api": {
        const id = h.slice(0, 10);
        return {
          id,
          outputs: {
            name,
            arn: `arn:${partition}:apigateway:${region}::/apis/${id}`,
            executionArn: arn(id, "execute-api"),
            apiEndpoint: `https://${id}.execute-api.${region}.${dnsSuffix}`,
          },
        };
      }
      case "aws:apigatewayv2/stage:Stage":
        return {
          id: str(inputs.name, "$default"),
          outputs: {
            arn: `arn:${partition}:apigateway:${region}::/apis/${String(inputs.apiId ?? "api")}/stages/${str(inputs.name, "$default")}`,
            invokeUrl: `https://${String(inputs.apiId ?? "api")}.execute-api.${region}.${dnsSuffix}/`,
          },
        };
      case "aws:sfn/stateMachine:StateMachine":
        return { id: arn(`stateMachine:${name}`, "states"), outputs: { name, arn: arn(`stateMachine:${name}`, "states") } };
      case "aws:dynamodb/table:Table":
        return { id: name, outputs: { name, arn: arn(`table/${name}`), streamArn: arn(`table/${name}/stream/2024-01-01T00:00:00.000`) } };
      case "aws:secretsmanager/secret:Secret":
        return { id: arn(`secret:${name}-AbCdEf`), outputs: { name, arn: arn(`secret:${name}-AbCdEf`) } };
      case "aws:ssm/parameter:Parameter":
        return { id: name, outputs: { name, arn: arn(`parameter${name.startsWith("/") ? "" : "/"}${name}`) } };
      case "aws:lb/loadBalancer:LoadBalancer":
        return {
          id: arn(`loadbalancer/app/${name}/${h.slice(0, 16)}`, "elasticloadbalancing"),
          outputs: {
            name,
            arn: arn(`loadbalancer/app/${name}/${h.slice(0, 16)}`, "elasticloadbalancing"),
            dnsName: `${name}-${h.slice(0, 10)}.${region}.elb.${dnsSuffix}`,
            arnSuffix: `app/${name}/${h.slice(0, 16)}`,
          },
        };
      case "aws:lb/targetGroup:TargetGroup":
        return {
          id: arn(`targetgroup/${name}/${h.slice(0, 16)}`, "elasticloadbalancing"),
          outputs: { name, arn: arn(`targetgroup/${name}/${h.slice(0, 16)}`, "elasticloadbalancing"), arnSuffix: `targetgroup/${name}/${h.slice(0, 16)}` },
        };
      case "aws:scheduler/schedule:Schedule":
        return { id: name, outputs: { name, arn: arn(`schedule/${str(inputs.groupName, "default")}/${name}`) } };
      default: {
        // EC2-style ids for network resources, an ARN of the usual shape for the rest.
        const ec2Prefix: Record<string, string> = {
          Vpc: "vpc",
          Subnet: "subnet",
          SecurityGroup: "sg",
          RouteTable: "rtb",
          RouteTableAssociation: "rtbassoc",
          SecurityGroupIngressRule: "sgr",
          SecurityGroupEgressRule: "sgr",
          InternetGateway: "igw",
          NatGateway: "nat",
          Eip: "eipalloc",
          Instance: "i",
          NetworkInterface: "eni",
        };
        const prefix = kind ? ec2Prefix[kind] : undefined;
        const id = prefix ? `${prefix}-${h}` : `${logical}-${h.slice(0, 7)}`;
        const generated = autonamedInput(type) === "name" ? { name } : {};
        return { id, outputs: { arn: arn(`${(kind ?? "resource").toLowerCase()}/${prefix ? id : name}`), ...generated } };
      }
    }
  }

  call(args: MockCallArgs): Record<string, unknown> {
    const region = this.regionOf(args.provider);
    const { partition, dnsSuffix, reverseDnsPrefix } = partitionOf(region);
    const acct = this.accountId;
    const inputs = (args.inputs ?? {}) as State;
    const h = (salt: string) => hash(`${args.token}/${region}/${salt}`, 17);
    const zones = ["a", "b", "c"].map((z) => `${region}${z}`);
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: acct, arn: `arn:${partition}:iam::${acct}:user/plan`, userId: "AIDAPLAN", id: acct };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region, endpoint: `ec2.${region}.${dnsSuffix}`, description: region };
      case "aws:index/getPartition:getPartition":
        return { partition, dnsSuffix, reverseDnsPrefix, id: partition };
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {
          names: zones,
          zoneIds: zones.map((_, i) => `${region.split("-")[0]}${region.split("-")[2] ?? ""}-az${i + 1}`),
          id: region,
          groupNames: [region],
        };
      case "aws:iam/getPolicyDocument:getPolicyDocument":
        return { ...policyDocument(inputs), id: hash(JSON.stringify(inputs), 10), statements: inputs.statements ?? [] };
      case "aws:iam/getPolicy:getPolicy": {
        const arn = str(inputs.arn, `arn:${partition}:iam::aws:policy/${str(inputs.name, "policy")}`);
        return { arn, name: arn.split("/").pop(), path: "/", policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }), id: arn };
      }
      case "aws:iam/getRole:getRole": {
        const name = str(inputs.name, "role");
        return { name, arn: `arn:${partition}:iam::${acct}:role/${name}`, id: name, uniqueId: `AROA${h(name).toUpperCase()}` };
      }
      case "aws:ec2/getVpc:getVpc": {
        const id = str(inputs.id, `vpc-${h("vpc")}`);
        return {
          id,
          arn: `arn:${partition}:ec2:${region}:${acct}:vpc/${id}`,
          cidrBlock: "172.31.0.0/16",
          default: inputs.default ?? true,
          mainRouteTableId: `rtb-${h("rtb")}`,
          ownerId: acct,
          state: "available",
        };
      }
      case "aws:ec2/getSubnets:getSubnets":
        return { ids: zones.map((z) => `subnet-${h(z)}`), id: region, filters: inputs.filters ?? [] };
      case "aws:ec2/getSubnet:getSubnet": {
        const id = str(inputs.id, `subnet-${h(zones[0])}`);
        return {
          id,
          arn: `arn:${partition}:ec2:${region}:${acct}:subnet/${id}`,
          vpcId: `vpc-${h("vpc")}`,
          availabilityZone: str(inputs.availabilityZone, zones[0]),
          cidrBlock: "172.31.0.0/20",
        };
      }
      case "aws:ec2/getSecurityGroup:getSecurityGroup": {
        const id = str(inputs.id, `sg-${h(str(inputs.name, "default"))}`);
        return { id, name: str(inputs.name, "default"), vpcId: `vpc-${h("vpc")}`, arn: `arn:${partition}:ec2:${region}:${acct}:security-group/${id}` };
      }
      case "aws:ec2/getAmi:getAmi":
        return { id: `ami-${h("ami")}`, imageId: `ami-${h("ami")}`, architecture: "arm64", name: "mock-image", ownerId: "137112412989" };
      case "aws:ssm/getParameter:getParameter": {
        const name = str(inputs.name, "/parameter");
        const known = this.options.ssmParameters?.[name];
        // Not configured: a stand-in of the right shape (an AMI id for the public AMI parameters).
        const value = known !== undefined ? String(known) : name.startsWith("/aws/service/") && name.includes("ami") ? `ami-${h(name)}` : `mock-${h(name)}`;
        return {
          name,
          value,
          insecureValue: value,
          type: "String",
          version: 1,
          arn: `arn:${partition}:ssm:${region}:${acct}:parameter${name.startsWith("/") ? "" : "/"}${name}`,
          id: name,
        };
      }
      case "aws:ssm/getParametersByPath:getParametersByPath": {
        const path = str(inputs.path, "/");
        const recursive = inputs.recursive === true;
        const base = path.endsWith("/") ? path : `${path}/`;
        const entries = Object.entries(this.options.ssmParameters ?? {}).filter(
          ([name]) => name.startsWith(base) && (recursive || !name.slice(base.length).includes("/")),
        );
        return {
          id: path,
          path,
          region,
          names: entries.map(([n]) => n),
          values: entries.map(([, v]) => String(v)),
          types: entries.map(() => "String"),
          arns: entries.map(([n]) => `arn:${partition}:ssm:${region}:${acct}:parameter${n}`),
        };
      }
      case "aws:kms/getAlias:getAlias": {
        const keyId = `${h("key").slice(0, 8)}-0000-4000-8000-${h("key").slice(8, 20)}`;
        return {
          name: str(inputs.name, "alias/aws/s3"),
          arn: `arn:${partition}:kms:${region}:${acct}:${str(inputs.name, "alias/aws/s3")}`,
          targetKeyId: keyId,
          targetKeyArn: `arn:${partition}:kms:${region}:${acct}:key/${keyId}`,
          id: str(inputs.name, "alias/aws/s3"),
        };
      }
      case "aws:kms/getKey:getKey":
        return { id: str(inputs.keyId, "key"), arn: `arn:${partition}:kms:${region}:${acct}:key/${str(inputs.keyId, "key")}`, keyState: "Enabled" };
      case "aws:secretsmanager/getSecret:getSecret": {
        const name = str(inputs.name, "secret");
        return { name, arn: str(inputs.arn, `arn:${partition}:secretsmanager:${region}:${acct}:secret:${name}-AbCdEf`), id: name };
      }
      case "aws:route53/getZone:getZone": {
        const name = str(inputs.name, "example.com");
        return {
          name,
          zoneId: `Z${h(name).toUpperCase().slice(0, 13)}`,
          id: `Z${h(name).toUpperCase().slice(0, 13)}`,
          privateZone: inputs.privateZone ?? false,
        };
      }
      case "aws:acm/getCertificate:getCertificate": {
        const domain = str(inputs.domain, "example.com");
        return {
          domain,
          arn: `arn:${partition}:acm:${region}:${acct}:certificate/${h(domain).slice(0, 8)}-0000-4000-8000-${h(domain).slice(8, 20)}`,
          status: "ISSUED",
          id: domain,
        };
      }
      case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
        return {
          authorizationToken: Buffer.from("AWS:mock").toString("base64"),
          userName: "AWS",
          password: "mock",
          proxyEndpoint: `https://${acct}.dkr.ecr.${region}.${dnsSuffix}`,
          id: region,
        };
      case "aws:elb/getServiceAccount:getServiceAccount":
        return { id: "127311923021", arn: `arn:${partition}:iam::127311923021:root` };
      case "aws:cloudfront/getCachePolicy:getCachePolicy":
      case "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy":
      case "aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy": {
        const n = str(inputs.name, "policy");
        return { name: n, id: `${h(n).slice(0, 8)}-0000-4000-8000-${h(n).slice(8, 20)}` };
      }
      default:
        throw new MockError(`the offline mocks have no answer for data source ${args.token}: add it to toolchain/plan/mocks.ts (AwsMocks.call)`);
    }
  }
}
