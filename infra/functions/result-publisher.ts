// result-publisher: every minute, sends the result events the thumbnails
// function could not send right after its batch. In the VPC (it reads the
// rows owed an event); one sweep at a time.
import { RESULT_EVENT_BUS } from "../../contracts";
import { eventBusArn } from "../arns";
import type { FunctionSpec } from "../pipeline/functions";
import { commonValues, databaseValues, environmentOf, knownArns, vpcOf, type FunctionInputs } from "./inputs";

export function resultPublisherSpec(i: FunctionInputs): FunctionSpec<"result-publisher"> {
  const { ctx, database } = i;
  const arns = knownArns(ctx);
  return {
    fn: "result-publisher",
    vpc: vpcOf(i.network),
    // One sweep at a time: two would send the same owed events twice.
    reservedConcurrency: i.budget.concurrency["result-publisher"],
    environment: environmentOf("result-publisher", {
      ...commonValues(ctx, "result-publisher"),
      ...databaseValues(database),
      eventBus: RESULT_EVENT_BUS,
    }),
    policyInputs: {
      dbSecret: database.secretGrant,
      eventBusArn: eventBusArn(arns.scope, RESULT_EVENT_BUS),
      asyncFailureQueueArn: arns.asyncFailureQueueArn,
    },
  };
}
