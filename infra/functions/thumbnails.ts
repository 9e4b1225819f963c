// The thumbnails function: SQS-triggered, in the VPC, at the concurrency the
// connection budget leaves it. Reads originals, writes thumbnails and the row.
import * as pulumi from "@pulumi/pulumi";
import { RESULT_EVENT_BUS, THUMBNAILS_SETTINGS } from "../../contracts";
import { eventBusArn } from "../arns";
import type { FunctionSpec } from "../pipeline/functions";
import { commonValues, databaseValues, environmentOf, knownArns, thumbnailSetValues, vpcOf, type FunctionInputs } from "./inputs";

export function thumbnailsSpec(i: FunctionInputs): FunctionSpec<"thumbnails"> {
  const { ctx, storage, queueing, database } = i;
  const arns = knownArns(ctx);
  return {
    fn: "thumbnails",
    vpc: vpcOf(i.network),
    reservedConcurrency: i.budget.concurrency.thumbnails,
    environment: environmentOf("thumbnails", {
      ...commonValues(ctx, "thumbnails"),
      ...databaseValues(database),
      ...thumbnailSetValues(ctx),
      rawBucket: storage.raw.name,
      thumbnailsBucket: storage.thumbnails.name,
      baseUrl: pulumi.interpolate`https://${storage.cdnDomain}`,
      // Failed messages are held back on this queue by the schedule its redrive policy was checked against.
      queueUrl: queueing.queue.url,
      retryBaseSeconds: ctx.cfg.queue.retry.baseSeconds,
      // Input caps, one malloc arena and a pinned V8 young generation through the exec wrapper: RSS otherwise climbs
      // across invocations (npm run bench:load); the local containers start with the same values.
      ...THUMBNAILS_SETTINGS,
      // Result events right after a batch; the result-publisher sends whatever this misses.
      eventBus: RESULT_EVENT_BUS,
    }),
    policyInputs: {
      rawBucketArn: storage.raw.knownArn,
      thumbnailsBucketArn: storage.thumbnails.knownArn,
      queueArn: arns.queueArn,
      dbSecret: database.secretGrant,
      eventBusArn: eventBusArn(arns.scope, RESULT_EVENT_BUS),
    },
  };
}
