// Entry point for the Pulumi CLI (`main: infra/index.ts` in Pulumi.yaml).
// The stack outputs are what pipelineProgram returns.
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import { pipelineProgram } from "./program";

export = async () => pipelineProgram({ repoRoot: resolve(__dirname, ".."), stack: pulumi.getStack() });
