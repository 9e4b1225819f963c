// Runs one Pulumi TypeScript program under the shared mocks, in a process of
// its own, as the CLI's Node.js language host runs it: cwd = the project
// folder, the stack's config set, the project's `main` (else the folder, so
// its package.json main or index.ts) required, an exported function called
// and its result taken as the stack's outputs. Started by plan-program.ts as
// `node --require tsx/cjs program-host.ts <project dir> <stack> [--first-preview]`;
// writes the plan as JSON to file descriptor 3, the program's own output going
// to stdout and stderr as usual.
import type * as pulumiModule from "@pulumi/pulumi";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { EngineError } from "./engine-view";
import { MockError } from "./mocks";
import { ProjectError, readProject, readStackConfig } from "./project";
import { runUnderMocks } from "./run-under-mocks";

/** The program's own @pulumi/pulumi when it has one installed, else this repository's (NODE_PATH makes the program find the same). */
function programPulumi(dir: string): typeof pulumiModule {
  let path: string;
  try {
    path = require.resolve("@pulumi/pulumi", { paths: [dir] });
  } catch {
    path = require.resolve("@pulumi/pulumi");
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program's copy, chosen at run time
  return require(path) as typeof pulumiModule;
}

async function main(): Promise<void> {
  const [dir, stack, ...flags] = process.argv.slice(2);
  const project = readProject(dir);
  const { config, secretKeys } = readStackConfig(dir, project.name, stack, "stand-in");
  process.chdir(dir);
  const entry = project.main ? join(dir, project.main) : dir;
  const pulumi = programPulumi(dir);
  // Stack traces stay on: when the program itself fails, its author needs to know where.
  const plan = await runUnderMocks(
    {
      pulumi,
      project: project.name,
      stack,
      config,
      secretKeys,
      workDir: dir,
      firstPreview: flags.includes("--first-preview"),
      stackTraces: true,
      exitWork: true,
    },
    () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is loaded only once its mocks are in place
      const exported = require(entry) as unknown;
      return typeof exported === "function" ? (exported as () => unknown)() : exported;
    },
  );
  const out = createWriteStream("", { fd: 3 });
  await new Promise<void>((done, fail) => out.end(JSON.stringify(plan), (e?: Error | null) => (e ? fail(e) : done())));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const ours = e instanceof ProjectError || e instanceof EngineError || e instanceof MockError;
    process.stderr.write(`${ours ? (e as Error).message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
