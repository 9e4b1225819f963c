// `--program DIR [--stack NAME]`: any Pulumi TypeScript program planned under
// the shared mocks, in a process of its own (program-host.ts), so programs
// never share module caches or Pulumi's process-wide runtime state. A program
// without its own node_modules finds @pulumi/* (and anything else) in this
// repository's node_modules, through NODE_PATH: node looks there only for what
// the program's folders do not hold.
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { listStacks, ProjectError, readProject, readStackConfig, type StackConfig } from "./project";
import type { PlanFile } from "./run-under-mocks";

export class ProgramError extends Error {}

const REPO_NODE_MODULES = resolve(__dirname, "..", "..", "node_modules");
const HOST = join(__dirname, "program-host.ts");

export interface ProgramPlan {
  plan: PlanFile;
  /** The stack's config as the CLI hands it to a pack (encrypted values as stand-ins). */
  stackConfig: StackConfig;
}

export interface ProgramOptions {
  /** Like a first `pulumi preview`: computed outputs stay unknown. */
  firstPreview?: boolean;
  /** Receives what the program prints (the CLI shows it too). */
  onOutput?: (text: string) => void;
}

/** The stack to plan: the one given, else the project's only stack. */
export function chooseStack(dir: string, stack: string | undefined): string {
  if (stack) return stack;
  const stacks = listStacks(dir);
  if (stacks.length === 1) return stacks[0];
  throw new ProgramError(
    stacks.length === 0 ? `${dir} has no Pulumi.<stack>.yaml: add one, or give --stack` : `${dir} has stacks ${stacks.join(", ")}: give --stack NAME`,
  );
}

/** Reads the project and the stack's config, failing before the program runs when either is wrong. */
export function readProgramStack(dir: string, stack: string | undefined): { project: string; stack: string; stackConfig: StackConfig } {
  try {
    const project = readProject(dir).name;
    const chosen = chooseStack(dir, stack);
    return { project, stack: chosen, stackConfig: readStackConfig(dir, project, chosen, "stand-in") };
  } catch (e) {
    throw e instanceof ProjectError ? new ProgramError(`${dir}: ${e.message}`) : e;
  }
}

export async function planProgram(programDir: string, stack: string | undefined, options: ProgramOptions = {}): Promise<ProgramPlan> {
  const dir = resolve(programDir);
  const chosen = readProgramStack(dir, stack);
  const nodePath = [REPO_NODE_MODULES, ...(process.env.NODE_PATH ? [process.env.NODE_PATH] : [])].join(":");
  const child = spawn(
    process.execPath,
    ["--require", require.resolve("tsx/cjs"), HOST, dir, chosen.stack, ...(options.firstPreview ? ["--first-preview"] : [])],
    {
      cwd: dir,
      env: { ...process.env, NODE_PATH: nodePath },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    },
  );
  return new Promise((done, fail) => {
    let planText = "";
    let errText = "";
    child.stdout?.on("data", (d: Buffer) => options.onOutput?.(d.toString()));
    child.stderr?.on("data", (d: Buffer) => {
      errText += d.toString();
      options.onOutput?.(d.toString());
    });
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d: Buffer) => (planText += d.toString()));
    child.on("error", (e) => fail(new ProgramError(`${dir}: could not start the program: ${e.message}`)));
    child.on("close", (code) => {
      if (code !== 0) return fail(new ProgramError(`${dir} (stack ${chosen.stack}) failed under the mocks:\n${errText.trim()}`));
      try {
        done({ plan: JSON.parse(planText) as PlanFile, stackConfig: chosen.stackConfig });
      } catch (e) {
        fail(new ProgramError(`${dir}: the program host wrote no plan (${(e as Error).message})`));
      }
      return undefined;
    });
  });
}
