// The migrate function: invoked at deploy time when the migrations change, in
// the VPC, one at a time.
import type { FunctionSpec } from "../pipeline/functions";
import { commonValues, databaseValues, environmentOf, vpcOf, type FunctionInputs } from "./inputs";

export function migrateSpec(i: FunctionInputs): FunctionSpec<"migrate"> {
  return {
    fn: "migrate",
    vpc: vpcOf(i.network),
    reservedConcurrency: i.budget.concurrency.migrate,
    environment: environmentOf("migrate", { ...commonValues(i.ctx, "migrate"), ...databaseValues(i.database) }),
    policyInputs: { dbSecret: i.database.secretGrant },
  };
}
