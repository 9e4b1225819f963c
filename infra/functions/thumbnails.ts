// The thumbnails function: SQS-triggered, in the VPC, at the concurrency the
// connection budget leaves it. Reads originals, writes thumbnails and the row.
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_IMAGE_LIMITS, RESULT_EVENT_BUS, RUNTIME_ENV } from "../../contracts";
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
      maxInputBytes: DEFAULT_IMAGE_LIMITS.maxInputBytes,
      maxInputPixels: DEFAULT_IMAGE_LIMITS.maxInputPixels,
      // Failed messages are held back on this queue by the schedule its redrive policy was checked against.
      queueUrl: queueing.queue.url,
      retryBaseSeconds: ctx.cfg.queue.retry.baseSeconds,
      // One malloc arena and a pinned V8 young generation: RSS otherwise climbs across invocations (npm run bench, bench:load).
      mallocArenaMax: RUNTIME_ENV.MALLOC_ARENA_MAX,
      nodeOptions: RUNTIME_ENV.NODE_OPTIONS,
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
