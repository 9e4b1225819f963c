// What the functions' spec modules build from: the region's other parts, and
// the pieces of environment and IAM inputs several functions share.
import type * as pulumi from "@pulumi/pulumi";
import {
  COMMON_ENVIRONMENT,
  DATABASE_ENVIRONMENT,
  FUNCTION_ENVIRONMENTS,
  METRICS_NAMESPACE,
  THUMBNAIL_SET_ENVIRONMENT,
  writeEnvironment,
  type EnvSchema,
  type EnvWrite,
  type FunctionName,
} from "../../contracts";
import type { ConnectionBudget } from "../budget";
import type { Alerting } from "../pipeline/alerting";
import { arnScope, type RegionContext } from "../pipeline/context";
import type { PipelineDatabase } from "../pipeline/database";
import type { FunctionVpc } from "../pipeline/functions";
import type { Network } from "../pipeline/network";
import type { Queueing } from "../pipeline/queue";
import type { Storage } from "../pipeline/storage";
import { queueArn, topicArn } from "../arns";
import { queueName, topicName } from "../naming";

export interface FunctionInputs {
  ctx: RegionContext;
  /** The connection budget: concurrency per database function. */
  budget: ConnectionBudget;
  network: Network;
  storage: Storage;
  queueing: Queueing;
  database: PipelineDatabase;
  alerting: Alerting;
}

/** Values for writeEnvironment: what the program knows at deploy time, Outputs included. */
type Values<S extends EnvSchema> = EnvWrite<S, pulumi.Input<string>>;

/** A function's whole environment, through the contracts' writer: a missing or misnamed variable does not compile. */
export function environmentOf<F extends FunctionName>(fn: F, values: Values<(typeof FUNCTION_ENVIRONMENTS)[F]>): Record<string, pulumi.Input<string>> {
  return writeEnvironment<(typeof FUNCTION_ENVIRONMENTS)[F], pulumi.Input<string>>(FUNCTION_ENVIRONMENTS[fn], values);
}

/** What every function gets: its name as service, the metrics namespace, the log level, stack and region. */
export function commonValues(ctx: RegionContext, fn: FunctionName): Values<typeof COMMON_ENVIRONMENT> {
  return { serviceName: fn, metricsNamespace: METRICS_NAMESPACE, logLevel: ctx.cfg.logLevel, stack: ctx.cfg.stack, region: ctx.region.name };
}

/** Where the database functions connect, always over verified TLS. */
export function databaseValues(db: PipelineDatabase): Values<typeof DATABASE_ENVIRONMENT> {
  return { secretArn: db.secretArn, host: db.host, port: db.port, name: db.dbName, tls: "verify-full" };
}

/** The thumbnails the stack makes, in the buckets it made them for. */
export function thumbnailSetValues(ctx: RegionContext): Values<typeof THUMBNAIL_SET_ENVIRONMENT> {
  return { sizes: ctx.cfg.thumbnailSizes, formats: ctx.cfg.thumbnailFormats };
}

/** In-VPC functions: the private subnets and the functions' security group. */
export function vpcOf(network: Network): FunctionVpc {
  return { subnetIds: network.subnetIds, securityGroupIds: [network.functionSecurityGroupId] };
}

/**
 * ARNs built from names, not outputs, so every role policy is known on a
 * first preview (infra/arns.ts).
 */
export function knownArns(ctx: RegionContext) {
  const scope = arnScope(ctx);
  const r = ctx.region.name;
  return {
    scope,
    queueArn: queueArn(scope, queueName(ctx.cfg, r, "raw-events")),
    dlqArn: queueArn(scope, queueName(ctx.cfg, r, "raw-events-dlq")),
    asyncFailureQueueArn: queueArn(scope, queueName(ctx.cfg, r, "async-failures")),
    alertTopicArn: topicArn(scope, topicName(ctx.cfg, r, "alerts")),
    ticketTopicArn: topicArn(scope, topicName(ctx.cfg, r, "tickets")),
  };
}
