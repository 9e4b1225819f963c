// db-guard: measures connections every minute and raises max_connections when
// its alarm fires. In the VPC, holding one connection.
import { MAX_CONNECTIONS_SHARE, maxConnectionsFloorParameter } from "../../contracts";
import { dbInstanceArn, ssmParameterArn } from "../arns";
import type { FunctionSpec } from "../pipeline/functions";
import { commonValues, databaseValues, environmentOf, knownArns, vpcOf, type FunctionInputs } from "./inputs";

export function dbGuardSpec(i: FunctionInputs): FunctionSpec<"db-guard"> {
  const { ctx, database } = i;
  const { cfg } = ctx;
  const arns = knownArns(ctx);
  const floorParameter = maxConnectionsFloorParameter(cfg.stack, ctx.region.name);
  return {
    fn: "db-guard",
    vpc: vpcOf(i.network),
    reservedConcurrency: i.budget.concurrency["db-guard"],
    environment: environmentOf("db-guard", {
      ...commonValues(ctx, "db-guard"),
      ...databaseValues(database),
      instanceId: database.identifier,
      parameterGroup: database.parameterGroupName,
      threshold: MAX_CONNECTIONS_SHARE,
      step: cfg.database.connectionStep,
      ceiling: cfg.database.connectionCeiling,
      allowReboot: cfg.database.allowReboot,
      floorParameter,
      alertTopicArn: i.alerting.alerts.arn,
      ticketTopicArn: i.alerting.tickets.arn,
    }),
    policyInputs: {
      dbSecret: database.secretGrant,
      dbParameterGroupArn: database.parameterGroupArn,
      dbInstanceArn: dbInstanceArn(arns.scope, database.identifier),
      allowReboot: cfg.database.allowReboot,
      maxConnectionsFloorParameterArn: ssmParameterArn(arns.scope, floorParameter),
      alertTopicArn: arns.alertTopicArn,
      ticketTopicArn: arns.ticketTopicArn,
      asyncFailureQueueArn: arns.asyncFailureQueueArn,
    },
  };
}
