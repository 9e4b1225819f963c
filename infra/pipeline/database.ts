// RDS PostgreSQL per region: a parameter group owning max_connections (static,
// so changes wait for a reboot), the RDS-managed master secret, encryption,
// backups, no public access, and an optional RDS Proxy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MAX_CONNECTIONS_SHARE, POSTGRES_PORT } from "../../contracts";
import type { ExistingDatabase } from "../config";
import { resourcePrefix } from "../naming";
import { dbSecretStatement, serviceTrustPolicy, type DbSecretGrant } from "../iam-policies";
import { dbInstanceArn, dbParameterGroupArn, rdsManagedSecretArnPattern } from "../arns";
import { arnScope, baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";
import type { Network } from "./network";

export interface PipelineDatabaseArgs {
  ctx: RegionContext;
  network: Network;
  /** The deploy-time max_connections (config, or db-guard's higher floor). */
  maxConnections: number;
  /** When set, no database is created: the functions, alarms and db-guard get this one's coordinates. */
  existing?: ExistingDatabase;
}

/** The region's PostgreSQL: a managed RDS instance (with its parameter group, and a proxy when enabled), or an existing one. */
export class PipelineDatabase extends pulumi.ComponentResource {
  /** Absent for an existing database. */
  readonly instance?: aws.rds.Instance;
  readonly identifier: string;
  readonly parameterGroupName: string;
  readonly parameterGroupArn: string;
  readonly secretArn: pulumi.Output<string>;
  readonly secretGrant: DbSecretGrant;
  readonly host: pulumi.Output<string>;
  readonly port: number;
  readonly dbName: string;

  constructor(name: string, args: PipelineDatabaseArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Database"), name, {}, options);
    const ctx = within(args.ctx, this);
    const db = args.existing ? existingDatabase(ctx, args.existing) : managedDatabase(ctx, args.network, pulumi.output(args.maxConnections));
    if (db.instance) this.instance = db.instance;
    this.identifier = db.identifier;
    this.parameterGroupName = db.parameterGroupName;
    this.parameterGroupArn = db.parameterGroupArn;
    this.secretArn = db.secretArn;
    this.secretGrant = db.secretGrant;
    this.host = db.host;
    this.port = db.port;
    this.dbName = db.dbName;
    this.registerOutputs({ identifier: this.identifier, host: this.host, port: this.port, dbName: this.dbName });
  }
}

interface Database {
  /** Absent for an existing database. */
  instance?: aws.rds.Instance;
  identifier: string;
  parameterGroupName: string;
  /** Built from the group's name, so policies naming it are known at preview. */
  parameterGroupArn: string;
  secretArn: pulumi.Output<string>;
  /** What the functions' roles are granted on the secret: known at preview in both modes. */
  secretGrant: DbSecretGrant;
  /** Where the functions connect: the proxy when enabled, else the instance. */
  host: pulumi.Output<string>;
  port: number;
  dbName: string;
}

function managedDatabase(ctx: RegionContext, network: Network, maxConnections: pulumi.Output<number>): Database {
  const db = ctx.cfg.database;
  const prefix = resourcePrefix(ctx.cfg, ctx.region.name);
  const identifier = `${prefix}-db`;
  const major = db.engineVersion.split(".")[0];
  const databaseSg = network.databaseSecurityGroupId;
  if (!databaseSg) throw new Error(`${ctx.region.name}: the network has no database security group for a managed database`);

  const subnetGroup = new aws.rds.SubnetGroup(
    nameOf(ctx, "db-subnets"),
    { name: `${prefix}-db`, subnetIds: network.subnetIds, tags: baseTags(ctx, "db-subnets") },
    opts(ctx),
  );
  const parameterGroupName = `${prefix}-postgres${major}`;
  const parameterGroup = new aws.rds.ParameterGroup(
    nameOf(ctx, "db-parameters"),
    {
      name: parameterGroupName,
      family: `postgres${major}`,
      description: "Thumbnail pipeline: connection budget and TLS",
      parameters: [
        { name: "max_connections", value: maxConnections.apply(String), applyMethod: "pending-reboot" },
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
      ],
      tags: baseTags(ctx, "db-parameters"),
    },
    opts(ctx),
  );

  const instance = new aws.rds.Instance(
    nameOf(ctx, "db"),
    {
      identifier,
      engine: "postgres",
      engineVersion: db.engineVersion,
      instanceClass: db.instanceClass,
      allocatedStorage: db.allocatedStorageGb,
      maxAllocatedStorage: db.maxAllocatedStorageGb,
      storageType: "gp3",
      storageEncrypted: true,
      dbName: db.dbName,
      username: "pipeline_admin",
      manageMasterUserPassword: true,
      parameterGroupName: parameterGroup.name,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [databaseSg],
      publiclyAccessible: false,
      multiAz: db.multiAz,
      backupRetentionPeriod: db.backupRetentionDays,
      deletionProtection: db.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      performanceInsightsEnabled: true,
      // max_connections changes stay pending until a reboot db-guard or a human decides on.
      applyImmediately: false,
      tags: baseTags(ctx, "db"),
    },
    opts(ctx),
  );
  const secretArn = instance.masterUserSecrets.apply((secrets) => {
    const arn = secrets[0]?.secretArn;
    if (!arn) throw new Error(`RDS instance ${identifier} returned no managed master secret`);
    return arn;
  });

  const scope = arnScope(ctx);
  // The secret's ARN is unknown until RDS creates it; the grant names the instance (explicit identifier) instead.
  const secretGrant: DbSecretGrant = {
    kind: "rds-managed",
    secretArnPattern: rdsManagedSecretArnPattern(scope),
    dbInstanceArn: dbInstanceArn(scope, identifier),
  };

  let host: pulumi.Output<string> = instance.address;
  if (db.rdsProxy) host = createProxy(ctx, network.subnetIds, databaseSg, instance, secretArn, secretGrant);

  return {
    instance,
    identifier,
    parameterGroupName,
    parameterGroupArn: dbParameterGroupArn(scope, parameterGroupName),
    secretArn,
    secretGrant,
    host,
    port: POSTGRES_PORT,
    dbName: db.dbName,
  };
}

function createProxy(
  ctx: RegionContext,
  subnetIds: pulumi.Output<string>[],
  databaseSg: pulumi.Output<string>,
  instance: aws.rds.Instance,
  secretArn: pulumi.Output<string>,
  secretGrant: DbSecretGrant,
): pulumi.Output<string> {
  const prefix = resourcePrefix(ctx.cfg, ctx.region.name);
  const role = new aws.iam.Role(
    nameOf(ctx, "db-proxy-role"),
    { name: `${prefix}-db-proxy`, assumeRolePolicy: JSON.stringify(serviceTrustPolicy("rds.amazonaws.com")), tags: baseTags(ctx, "db-proxy-role") },
    opts(ctx),
  );
  new aws.iam.RolePolicy(
    nameOf(ctx, "db-proxy-policy"),
    // The same grant the functions get, pinned to the instance, so the policy is known at preview.
    { role: role.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [dbSecretStatement(secretGrant)] }) },
    opts(ctx),
  );
  // The proxy sits in the database security group; it reaches the instance through a self-reference.
  new aws.vpc.SecurityGroupIngressRule(
    nameOf(ctx, "database-from-proxy"),
    {
      securityGroupId: databaseSg,
      referencedSecurityGroupId: databaseSg,
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description: "RDS Proxy to PostgreSQL",
    },
    opts(ctx),
  );
  const proxy = new aws.rds.Proxy(
    nameOf(ctx, "db-proxy"),
    {
      name: `${prefix}-db-proxy`,
      engineFamily: "POSTGRESQL",
      roleArn: role.arn,
      requireTls: true,
      vpcSubnetIds: subnetIds,
      vpcSecurityGroupIds: [databaseSg],
      auths: [{ authScheme: "SECRETS", iamAuth: "DISABLED", secretArn }],
      tags: baseTags(ctx, "db-proxy"),
    },
    opts(ctx),
  );
  const targetGroup = new aws.rds.ProxyDefaultTargetGroup(
    nameOf(ctx, "db-proxy-target-group"),
    { dbProxyName: proxy.name, connectionPoolConfig: { maxConnectionsPercent: Math.round(MAX_CONNECTIONS_SHARE * 100), connectionBorrowTimeout: 120 } },
    opts(ctx),
  );
  new aws.rds.ProxyTarget(
    nameOf(ctx, "db-proxy-target"),
    { dbProxyName: proxy.name, targetGroupName: targetGroup.name, dbInstanceIdentifier: instance.identifier },
    opts(ctx),
  );
  return proxy.endpoint;
}

/** A database the stack does not own: the functions get its coordinates, alarms and db-guard its identifiers. */
function existingDatabase(ctx: RegionContext, db: ExistingDatabase): Database {
  return {
    identifier: db.instanceId,
    parameterGroupName: db.parameterGroupName,
    parameterGroupArn: dbParameterGroupArn(arnScope(ctx), db.parameterGroupName),
    secretArn: pulumi.output(db.secretArn),
    secretGrant: { kind: "exact", secretArn: db.secretArn },
    host: pulumi.output(db.host),
    port: db.port,
    dbName: db.dbName,
  };
}
