// Every function's spec, by name: one module per function says what it gets
// beyond what all have (environment, IAM inputs, VPC, concurrency).
import type { FunctionSpecs } from "../pipeline/functions";
import { apiSpec } from "./api";
import { canarySpec } from "./canary";
import { dbGuardSpec } from "./db-guard";
import { dlqRedriverSpec } from "./dlq-redriver";
import type { FunctionInputs } from "./inputs";
import { migrateSpec } from "./migrate";
import { oomRemediatorSpec } from "./oom-remediator";
import { resultPublisherSpec } from "./result-publisher";
import { thumbnailsSpec } from "./thumbnails";
import { ticketOpenerSpec } from "./ticket-opener";

export type { FunctionInputs } from "./inputs";

export function functionSpecs(i: FunctionInputs): FunctionSpecs {
  return {
    thumbnails: thumbnailsSpec(i),
    migrate: migrateSpec(i),
    "oom-remediator": oomRemediatorSpec(i),
    "db-guard": dbGuardSpec(i),
    canary: canarySpec(i),
    "ticket-opener": ticketOpenerSpec(i),
    "dlq-redriver": dlqRedriverSpec(i),
    api: apiSpec(i),
    "result-publisher": resultPublisherSpec(i),
  };
}
