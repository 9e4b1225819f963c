// The one set of Pulumi mocks that `npm run plan`, the policy check and the
// infra tests share: plausible ids, ARNs and names per resource type, each in
// the region of the resource's explicit provider, and answers for the data
// sources the program calls (caller identity, availability zones, SSM floors).
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

type MockResourceArgs = pulumi.runtime.MockResourceArgs;
type MockCallArgs = pulumi.runtime.MockCallArgs;
type State = Record<string, unknown>;

export const MOCK_ACCOUNT_ID = "123456789012";
const PROVIDER_TYPE = "pulumi:providers:aws";
const FALLBACK_REGION = "us-east-1";

export interface MockOptions {
  accountId?: string;
  /** SSM parameters by full name, e.g. `{ "/thumbnail-pipeline/dev/eu-central-1/memory-floor/<fn>": "384" }`. */
  ssmParameters?: Record<string, string | number>;
  /**
   * Like a first `pulumi preview`: resources report only their inputs, so
   * computed outputs (ARNs, ids, URLs) stay unknown.
   */
  unknownOutputs?: boolean;
}

function hash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function str(v: unknown, fallback: string): string {
  return typeof v === "string" && v.length > 0 ? v : fallback;
}

export class PipelineMocks implements pulumi.runtime.Mocks {
  readonly accountId: string;
  private readonly providerRegions = new Map<string, string>();

  constructor(private readonly options: MockOptions = {}) {
    this.accountId = options.accountId ?? MOCK_ACCOUNT_ID;
  }

  /** Region of a provider reference (`<urn>::<id>`): mock provider ids are registered below. */
  regionOf(providerRef: string | undefined): string | undefined {
    if (!providerRef) return undefined;
    return this.providerRegions.get(providerRef.slice(providerRef.lastIndexOf("::") + 2));
  }

  newResource(args: MockResourceArgs): { id: string; state: State } {
    const inputs = (args.inputs ?? {}) as State;
    if (args.type === PROVIDER_TYPE) {
      const id = `provider-${args.name}`;
      this.providerRegions.set(id, str(inputs.region, FALLBACK_REGION));
      return { id, state: inputs };
    }
    const region = this.regionOf(args.provider) ?? FALLBACK_REGION;
    const { id, outputs } = this.outputsFor(args.type, args.name, inputs, region);
    if (this.options.unknownOutputs) return { id, state: inputs };
    return { id, state: { ...inputs, ...outputs } };
  }

  private outputsFor(type: string, logical: string, inputs: State, region: string): { id: string; outputs: State } {
    const acct = this.accountId;
    const h = hash(`${type}/${logical}`, 17);
    const name = str(inputs.name, `${logical}-${h.slice(0, 7)}`);
    const [pkgModule, kind] = type.split(":").slice(1);
    const service = (pkgModule ?? "").split("/")[0];
    const arn = (resource: string, svc = service, r: string = region) => `arn:aws:${svc}:${r}:${acct}:${resource}`;
    switch (type) {
      case "aws:s3/bucket:Bucket": {
        const bucket = str(inputs.bucket, `${logical}-${h.slice(0, 7)}`);
        return { id: bucket, outputs: { bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, region } };
      }
      case "aws:sqs/queue:Queue":
        return { id: `https://sqs.${region}.amazonaws.com/${acct}/${name}`, outputs: { name, arn: arn(name), url: `https://sqs.${region}.amazonaws.com/${acct}/${name}` } };
      case "aws:lambda/function:Function":
        return { id: name, outputs: { name, arn: arn(`function:${name}`), invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn(`function:${name}`)}/invocations`, version: "$LATEST" } };
      case "aws:rds/instance:Instance": {
        const identifier = str(inputs.identifier, name);
        const address = `${identifier}.c${h.slice(0, 11)}.${region}.rds.amazonaws.com`;
        return {
          id: identifier,
          outputs: {
            identifier, address, port: 5432, endpoint: `${address}:5432`, arn: arn(`db:${identifier}`), resourceId: `db-${h.toUpperCase()}`,
            masterUserSecrets: [{ secretArn: arn(`secret:rds!db-${h.slice(0, 8)}-AbCdEf`, "secretsmanager"), kmsKeyId: arn(`key/${h}`, "kms"), secretStatus: "active" }],
          },
        };
      }
      case "aws:rds/parameterGroup:ParameterGroup":
        return { id: name, outputs: { name, arn: arn(`pg:${name}`) } };
      case "aws:rds/subnetGroup:SubnetGroup":
        return { id: name, outputs: { name, arn: arn(`subgrp:${name}`) } };
      case "aws:rds/proxy:Proxy":
        return { id: name, outputs: { name, arn: arn(`db-proxy:prx-${h}`), endpoint: `${name}.proxy-c${h.slice(0, 11)}.${region}.rds.amazonaws.com` } };
      case "aws:cloudfront/distribution:Distribution": {
        const id = `E${h.slice(0, 13).toUpperCase()}`;
        return { id, outputs: { arn: `arn:aws:cloudfront::${acct}:distribution/${id}`, domainName: `d${h.slice(0, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2" } };
      }
      case "aws:iam/role:Role":
        return { id: name, outputs: { name, arn: `arn:aws:iam::${acct}:role/${name}`, uniqueId: `AROA${h.toUpperCase()}` } };
      case "aws:cloudwatch/logGroup:LogGroup":
        return { id: name, outputs: { name, arn: arn(`log-group:${name}`, "logs") } };
      case "aws:cloudwatch/logDestination:LogDestination":
        return { id: name, outputs: { name, arn: arn(`destination:${name}`, "logs") } };
      case "aws:cloudwatch/eventRule:EventRule":
        return { id: name, outputs: { name, arn: arn(`rule/${name}`, "events") } };
      case "aws:cloudwatch/metricAlarm:MetricAlarm":
        return { id: name, outputs: { name, arn: arn(`alarm:${name}`, "cloudwatch") } };
      case "aws:cloudwatch/dashboard:Dashboard":
        return { id: str(inputs.dashboardName, name), outputs: { dashboardArn: `arn:aws:cloudwatch::${acct}:dashboard/${str(inputs.dashboardName, name)}` } };
      case "aws:sns/topic:Topic":
        return { id: arn(name), outputs: { name, arn: arn(name) } };
      case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
        return { id: arn(`deliverystream/${name}`, "firehose"), outputs: { name, arn: arn(`deliverystream/${name}`, "firehose") } };
      case "aws:kms/key:Key": {
        const keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(1, 4)}-${h.slice(4, 16)}`;
        return { id: keyId, outputs: { keyId, arn: arn(`key/${keyId}`) } };
      }
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        return { id: `vpce-${h}`, outputs: { arn: arn(`vpc-endpoint/vpce-${h}`, "ec2"), prefixListId: inputs.vpcEndpointType === "Gateway" ? `pl-${h.slice(0, 8)}` : undefined } };
      default: {
        // EC2-style ids for network resources, an ARN of the usual shape for the rest.
        const ec2Prefix: Record<string, string> = { Vpc: "vpc", Subnet: "subnet", SecurityGroup: "sg", RouteTable: "rtb", RouteTableAssociation: "rtbassoc", SecurityGroupIngressRule: "sgr", SecurityGroupEgressRule: "sgr" };
        const prefix = kind ? ec2Prefix[kind] : undefined;
        const id = prefix ? `${prefix}-${h}` : `${logical}-${h.slice(0, 7)}`;
        return { id, outputs: { arn: arn(`${(kind ?? "resource").toLowerCase()}/${prefix ? id : name}`) } };
      }
    }
  }

  call(args: MockCallArgs): Record<string, unknown> {
    const region = this.regionOf(args.provider) ?? FALLBACK_REGION;
    const inputs = (args.inputs ?? {}) as State;
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: this.accountId, arn: `arn:aws:iam::${this.accountId}:user/plan`, userId: "AIDAPLAN", id: this.accountId };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const names = ["a", "b", "c"].map((z) => `${region}${z}`);
        return { names, zoneIds: names.map((_, i) => `${region.split("-")[0]}${region.split("-")[2] ?? ""}-az${i + 1}`), id: region, groupNames: [region] };
      }
      case "aws:ssm/getParametersByPath:getParametersByPath": {
        const path = str(inputs.path, "/");
        const recursive = inputs.recursive === true;
        const base = path.endsWith("/") ? path : `${path}/`;
        const entries = Object.entries(this.options.ssmParameters ?? {}).filter(([name]) => name.startsWith(base) && (recursive || !name.slice(base.length).includes("/")));
        return {
          id: path, path, region,
          names: entries.map(([n]) => n),
          values: entries.map(([, v]) => String(v)),
          types: entries.map(() => "String"),
          arns: entries.map(([n]) => `arn:aws:ssm:${region}:${this.accountId}:parameter${n}`),
        };
      }
      default:
        throw new Error(`plan mocks have no answer for data source ${args.token}: add it to tools/plan/mocks.ts`);
    }
  }
}
