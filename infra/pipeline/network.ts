// A VPC with private subnets only: functions reach AWS through endpoints
// (S3 gateway, interface endpoints for the services they call), so no NAT.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";
import { POSTGRES_PORT } from "../../contracts";

/** Interface endpoints the in-VPC functions call (docs/contracts.md). */
// sqs: the thumbnails function holds failed messages back (ChangeMessageVisibility) from inside the VPC.
// events: thumbnails and result-publisher send result events (PutEvents) from inside the VPC.
export const INTERFACE_ENDPOINT_SERVICES = ["secretsmanager", "monitoring", "sns", "ssm", "rds", "sqs", "events"] as const;
const SUBNET_CIDRS = ["10.40.0.0/20", "10.40.16.0/20"];

export interface NetworkArgs {
  ctx: RegionContext;
  /** Two zones: one private subnet in each (the RDS subnet group needs two). */
  availabilityZones: string[];
  /** An existing database outside this VPC (reached by peering or a transit gateway its owner provides). */
  databaseCidr?: string;
}

/** The region's VPC: private subnets, security groups, and the endpoints that replace a NAT. */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly subnetIds: pulumi.Output<string>[];
  readonly functionSecurityGroupId: pulumi.Output<string>;
  /** The managed database's group; absent when the database is an existing one outside this VPC. */
  readonly databaseSecurityGroupId?: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Network"), name, {}, options);
    const built = createNetwork(within(args.ctx, this), args.availabilityZones, args.databaseCidr);
    this.vpcId = built.vpcId;
    this.subnetIds = built.subnetIds;
    this.functionSecurityGroupId = built.functionSecurityGroupId;
    if (built.databaseSecurityGroupId) this.databaseSecurityGroupId = built.databaseSecurityGroupId;
    this.registerOutputs({ vpcId: this.vpcId, subnetIds: this.subnetIds, functionSecurityGroupId: this.functionSecurityGroupId });
  }
}

interface NetworkIds {
  vpcId: pulumi.Output<string>;
  subnetIds: pulumi.Output<string>[];
  functionSecurityGroupId: pulumi.Output<string>;
  databaseSecurityGroupId?: pulumi.Output<string>;
}

function createNetwork(ctx: RegionContext, availabilityZones: string[], databaseCidr?: string): NetworkIds {
  const tags = (role: string) => ({ ...baseTags(ctx, role), Name: nameOf(ctx, role) });
  const vpc = new aws.ec2.Vpc(
    nameOf(ctx, "vpc"),
    { cidrBlock: "10.40.0.0/16", enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
    opts(ctx),
  );
  const routeTable = new aws.ec2.RouteTable(nameOf(ctx, "private-routes"), { vpcId: vpc.id, tags: tags("private-routes") }, opts(ctx));
  const subnets = SUBNET_CIDRS.map((cidr, i) => {
    const role = `private-subnet-${i}`;
    const subnet = new aws.ec2.Subnet(
      nameOf(ctx, role),
      { vpcId: vpc.id, cidrBlock: cidr, availabilityZone: availabilityZones[i], mapPublicIpOnLaunch: false, tags: tags(role) },
      opts(ctx),
    );
    new aws.ec2.RouteTableAssociation(nameOf(ctx, `${role}-routes`), { subnetId: subnet.id, routeTableId: routeTable.id }, opts(ctx));
    return subnet;
  });
  const subnetIds = subnets.map((s) => s.id);

  const sg = (role: string, description: string) =>
    new aws.ec2.SecurityGroup(nameOf(ctx, role), { vpcId: vpc.id, description, revokeRulesOnDelete: true, tags: tags(role) }, opts(ctx));
  const functionSg = sg("function-sg", "Pipeline functions: egress to endpoints, S3 and PostgreSQL only");
  const databaseSg = databaseCidr ? undefined : sg("database-sg", "PostgreSQL: ingress from the pipeline functions only");
  const endpointSg = sg("endpoint-sg", "Interface endpoints: HTTPS from the pipeline functions");

  const s3Endpoint = new aws.ec2.VpcEndpoint(
    nameOf(ctx, "s3-endpoint"),
    {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${ctx.region.name}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [routeTable.id],
      tags: tags("s3-endpoint"),
    },
    opts(ctx),
  );
  for (const service of INTERFACE_ENDPOINT_SERVICES) {
    new aws.ec2.VpcEndpoint(
      nameOf(ctx, `${service}-endpoint`),
      {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${ctx.region.name}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds,
        securityGroupIds: [endpointSg.id],
        tags: tags(`${service}-endpoint`),
      },
      opts(ctx),
    );
  }

  const rule = (role: string, kind: "ingress" | "egress", args: aws.vpc.SecurityGroupIngressRuleArgs) =>
    kind === "ingress"
      ? new aws.vpc.SecurityGroupIngressRule(nameOf(ctx, role), args, opts(ctx))
      : new aws.vpc.SecurityGroupEgressRule(nameOf(ctx, role), args, opts(ctx));
  const postgres = { securityGroupId: functionSg.id, ipProtocol: "tcp", fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT };
  rule(
    "function-to-database",
    "egress",
    databaseSg
      ? { ...postgres, referencedSecurityGroupId: databaseSg.id, description: "PostgreSQL" }
      : { ...postgres, cidrIpv4: databaseCidr, description: "PostgreSQL (existing database)" },
  );
  rule("function-to-endpoints", "egress", {
    securityGroupId: functionSg.id,
    referencedSecurityGroupId: endpointSg.id,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    description: "AWS APIs via interface endpoints",
  });
  rule("function-to-s3", "egress", {
    securityGroupId: functionSg.id,
    prefixListId: s3Endpoint.prefixListId,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    description: "S3 via the gateway endpoint",
  });
  if (databaseSg)
    rule("database-from-functions", "ingress", {
      securityGroupId: databaseSg.id,
      referencedSecurityGroupId: functionSg.id,
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description: "PostgreSQL from the pipeline functions",
    });
  rule("endpoints-from-functions", "ingress", {
    securityGroupId: endpointSg.id,
    referencedSecurityGroupId: functionSg.id,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    description: "HTTPS from the pipeline functions",
  });

  return { vpcId: vpc.id, subnetIds, functionSecurityGroupId: functionSg.id, ...(databaseSg ? { databaseSecurityGroupId: databaseSg.id } : {}) };
}
