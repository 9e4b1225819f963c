// The canary: a synthetic upload every 5 minutes, checked end to end. In the
// VPC (it reads the row), asking for a ticket when a step fails.
import { CANARY_PREFIX, CANARY_TIMEOUT_SECONDS } from "../../contracts";
import type { FunctionSpec } from "../pipeline/functions";
import { commonValues, databaseValues, environmentOf, knownArns, thumbnailSetValues, vpcOf, type FunctionInputs } from "./inputs";

export function canarySpec(i: FunctionInputs): FunctionSpec<"canary"> {
  const { ctx, storage, database } = i;
  const arns = knownArns(ctx);
  return {
    fn: "canary",
    vpc: vpcOf(i.network),
    reservedConcurrency: i.budget.concurrency.canary,
    environment: environmentOf("canary", {
      ...commonValues(ctx, "canary"),
      ...databaseValues(database),
      // It expects exactly the thumbnails the thumbnails function makes.
      ...thumbnailSetValues(ctx),
      rawBucket: storage.raw.name,
      thumbnailsBucket: storage.thumbnails.name,
      prefix: CANARY_PREFIX,
      timeoutSeconds: CANARY_TIMEOUT_SECONDS,
      ticketTopicArn: i.alerting.tickets.arn,
    }),
    policyInputs: {
      rawBucketArn: storage.raw.knownArn,
      thumbnailsBucketArn: storage.thumbnails.knownArn,
      dbSecret: database.secretGrant,
      ticketTopicArn: arns.ticketTopicArn,
      asyncFailureQueueArn: arns.asyncFailureQueueArn,
    },
  };
}
