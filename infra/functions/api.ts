// The api function: behind the region's HTTP API (pipeline/api.ts), in the VPC
// (it reads and writes the uploads table), at the concurrency the stack gives
// it in the connection budget. Signs upload forms for the raw bucket's upload
// prefix only.
import { DEFAULT_IMAGE_LIMITS, DEFAULT_UPLOAD_PREFIX } from "../../contracts";
import type { FunctionSpec } from "../pipeline/functions";
import { commonValues, databaseValues, environmentOf, vpcOf, type FunctionInputs } from "./inputs";

export function apiSpec(i: FunctionInputs): FunctionSpec<"api"> {
  const { ctx, storage, database } = i;
  return {
    fn: "api",
    vpc: vpcOf(i.network),
    reservedConcurrency: i.budget.concurrency.api,
    environment: environmentOf("api", {
      ...commonValues(ctx, "api"),
      ...databaseValues(database),
      rawBucket: storage.raw.name,
      uploadPrefix: DEFAULT_UPLOAD_PREFIX,
      // The same cap the thumbnails function enforces: a form never admits what would be refused as too large.
      maxInputBytes: DEFAULT_IMAGE_LIMITS.maxInputBytes,
    }),
    policyInputs: {
      rawBucketArn: storage.raw.knownArn,
      uploadPrefix: DEFAULT_UPLOAD_PREFIX,
      dbSecret: database.secretGrant,
    },
  };
}
