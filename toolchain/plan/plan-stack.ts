// Runs this repository's Pulumi program in-process under the shared mocks for
// one stack's config and records every resource as the engine would hold it
// (run-under-mocks.ts, engine-view.ts). Used by `npm run plan`,
// `npm run check -- --stack` and the infra tests.
//
// `props` are the resource inputs in Pulumi's wire form, as the engine holds
// them before it hands them to a policy pack: plain JSON, where
//   - a value not known yet is the string UNKNOWN (Pulumi's unknown sentinel,
//     "04da6b54-80e4-46f7-96ec-b56ff0331ba9"); it only appears with
//     `unknownOutputs` (a first preview), since the mocks answer every output;
//   - secrets, assets, archives and resource references are objects keyed by
//     SIGNATURE_KEY ("4dabf18193072939515e22adb298388d") as in the protocol; an
//     asset or archive carries the engine's `hash` (a FileArchive is
//     `{ [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path: "dist/<fn>", hash }`).
// `outputs` are the state the mocks answered, what AnalyzeStack gets.
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import { CONFIG_NAMESPACE, ConfigError, OFFLINE_SECRET_STAND_INS } from "../../infra/config";
import { pipelineProgram } from "../../infra/program";
import { ensureFreshBuild } from "../build/ensure";
import { EngineError, type Json } from "./engine-view";
import type { MockOptions } from "./mocks";
import {
  listStacks as listProjectStacks,
  ProjectError,
  readProject,
  readStackConfig as readProjectStackConfig,
  type EncryptedValues,
  type StackConfig,
} from "./project";
import { muteStackTraces } from "../pulumi-internals";
import { runUnderMocks, type PlanFile, type PlanResource } from "./run-under-mocks";
import { SIGNATURE_KEY, SIGNATURES, UNKNOWN } from "./wire";

export { muteStackTraces };
export type { Json, PlanFile, PlanResource };

export { SIGNATURE_KEY, UNKNOWN };
export const ARCHIVE_SIGNATURE = SIGNATURES.archive;
export const SECRET_SIGNATURE = SIGNATURES.secret;

export interface PlanOptions extends Omit<MockOptions, "accountId" | "defaultRegion"> {
  /** Checkout to plan; defaults to this repository. */
  repoRoot?: string;
  /** Replace or add `thumbnail-pipeline:*` keys on top of the stack file (decoded values, e.g. `regions: [...]`). */
  config?: Record<string, unknown>;
  /** Build dist/ first when missing or stale (default true); false plans against whatever dist/ holds. */
  ensureBuild?: boolean;
  /** Keep JavaScript stack traces while the program runs (slower; for debugging the program). */
  stackTraces?: boolean;
}

export class PlanError extends Error {}

export const REPO_ROOT = resolve(__dirname, "..", "..");

/** The project name from Pulumi.yaml. */
export function readProjectName(repoRoot: string): string {
  try {
    return readProject(repoRoot).name;
  } catch (e) {
    throw e instanceof ProjectError ? new PlanError(e.message) : e;
  }
}

export function listStacks(repoRoot: string): string[] {
  return listProjectStacks(repoRoot);
}

/** This program's secret keys, each with the stand-in it declares for runs that cannot decrypt the stack file. */
export const PROGRAM_SECRETS: EncryptedValues = {
  declared: Object.fromEntries(Object.entries(OFFLINE_SECRET_STAND_INS).map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, value])),
};

/** The stack's config as Pulumi hands it to the program (every value a string, structured ones JSON), with the keys it marks secret. */
export function readStackConfigWithSecrets(repoRoot: string, stack: string): StackConfig {
  try {
    return readProjectStackConfig(repoRoot, readProjectName(repoRoot), stack, PROGRAM_SECRETS);
  } catch (e) {
    throw e instanceof ProjectError ? new PlanError(e.message) : e;
  }
}

export function readStackConfig(repoRoot: string, stack: string): Record<string, string> {
  return readStackConfigWithSecrets(repoRoot, stack).config;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Plans one stack. Pulumi's runtime state is process-global, so plans run one
 * at a time; each awaits every registration (the SDK's own RPC tracking) before
 * returning.
 */
export function planStack(stackName: string, options: PlanOptions = {}): Promise<PlanFile> {
  const run = queue.then(() => planStackNow(stackName, options));
  queue = run.catch(() => undefined);
  return run;
}

async function planStackNow(stack: string, options: PlanOptions): Promise<PlanFile> {
  const repoRoot = resolve(options.repoRoot ?? REPO_ROOT);
  const project = readProjectName(repoRoot);
  const { config, secretKeys } = readStackConfigWithSecrets(repoRoot, stack);
  for (const [key, value] of Object.entries(options.config ?? {})) {
    const full = `${project}:${key}`;
    if (value === undefined) delete config[full];
    else config[full] = typeof value === "string" ? value : JSON.stringify(value);
  }
  if (options.ensureBuild !== false) await ensureFreshBuild(repoRoot);
  try {
    return await runUnderMocks(
      {
        pulumi,
        project,
        stack,
        config,
        secretKeys,
        workDir: repoRoot,
        mocks: { ssmParameters: options.ssmParameters },
        firstPreview: options.unknownOutputs === true,
        stackTraces: options.stackTraces,
      },
      () => pipelineProgram({ repoRoot, stack }),
    );
  } catch (err) {
    if (err instanceof ConfigError) throw new PlanError(`stack "${stack}": ${err.message}`);
    if (err instanceof EngineError) throw new PlanError(`stack "${stack}": ${err.message}`);
    throw err;
  }
}
