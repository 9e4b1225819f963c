// `npm run check -- (--stack NAME | --plan FILE | --program DIR [--stack NAME])
//   [--pack DIR]... [--config FILE]... [--json] [--sarif FILE] [--first-preview] [--loader tsx]`:
// policy packs over the Analyzer protocol the Pulumi CLI uses, against this
// repository's program under mocks (--stack), any Pulumi TypeScript program
// under the same mocks (--program) or a plan file (--plan). Each --pack is
// served as `pulumi preview --policy-pack DIR` serves it, each --config is the
// `--policy-pack-config` of the --pack in the same position. Without --pack:
// snowflake-guard (policies/) and AWSGuard (toolchain/check/awsguard-pack/).
// Exit 1 on any mandatory violation, 2 when the check itself could not run.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exitAfterOutput } from "../../cli/exit-codes";
import { ManifestError } from "../../handlers/build-manifest";
import { EngineError } from "../plan/engine-view";
import { MockError } from "../plan/mocks";
import { planProgram, ProgramError, readProgramStack } from "../plan/plan-program";
import type * as PlanStackModule from "../plan/plan-stack";
import type { PlanFile } from "../plan/plan-stack";
import { ProjectError, readProject, type StackConfig } from "../plan/project";
import { AnalyzerSession, AnalyzerStartError, PACK_LOADERS, type PackLoader } from "./analyzer-client";
import { EncodeError } from "./encode";
import { PackConfigError, readPackConfig, stackPackConfig, type PackConfig } from "./pack-config";
import { PlanInputError, readPlanFile } from "./plan-input";
import { formatReports, toJsonReports, toSarifReports } from "./report";
import { checkPlan, hasMandatory, type CheckReport } from "./run-check";

const REPO_ROOT = resolve(__dirname, "..", "..");
export const DEFAULT_PACK_DIR = join(REPO_ROOT, "policies");
export const AWSGUARD_PACK_DIR = join(__dirname, "awsguard-pack");
export const DEFAULT_PACKS = [DEFAULT_PACK_DIR, AWSGUARD_PACK_DIR];

interface CliOptions {
  stack?: string;
  plan?: string;
  program?: string;
  json?: boolean;
  sarif?: string;
  config: string[];
  pack: string[];
  firstPreview?: boolean;
  loader: PackLoader;
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

const collect = (value: string, previous: string[]) => [...previous, value];

function parseArgs(argv: string[]): CliOptions {
  const program = new Command()
    .name("npm run check --")
    .description("Check a stack of this program or of any Pulumi program (under mocks), or a plan file, against policy packs over the Pulumi Analyzer protocol")
    .option("--stack <name>", "the stack (Pulumi.<name>.yaml) to plan under mocks: of this repository's program, or of --program's")
    .addOption(new Option("--plan <file>", "check a plan file written by `npm run plan -- --out`").conflicts(["stack", "program"]))
    .addOption(
      new Option(
        "--program <dir>",
        "any Pulumi TypeScript program (Pulumi.yaml and Pulumi.<stack>.yaml in DIR), planned under the generic AWS mocks",
      ).conflicts("plan"),
    )
    .option(
      "--pack <dir>",
      "a policy pack folder, served as `pulumi preview --policy-pack DIR` does (repeatable; default policies/ and toolchain/check/awsguard-pack/)",
      collect,
      [],
    )
    .option(
      "--config <file>",
      "the policy pack config of the --pack in the same position, as `--policy-pack-config` (repeatable); without it snowflake-guard gets this program's stack config (infra/policy-config/ and dist/manifest.json, as `npm run policy-config` writes it)",
      collect,
      [],
    )
    .option("--json", "print { violations, waivers } as JSON instead of text")
    .option("--sarif <file>", "also write a SARIF 2.1.0 report (GitHub code scanning), one run per pack")
    .option("--first-preview", "plan like a stack's first `pulumi preview`: computed outputs stay unknown")
    .addOption(
      new Option(
        "--loader <name>",
        "how node loads a pack: pulumi-cli runs it exactly as `pulumi preview --policy-pack` does (ts-node, type-checked); tsx skips the type-check",
      )
        .choices(PACK_LOADERS)
        .default("pulumi-cli"),
    )
    .exitOverride()
    .configureOutput({ writeOut: (t) => process.stdout.write(t), writeErr: (t) => process.stderr.write(t) })
    .showHelpAfterError();
  program.parse(argv, { from: "user" });
  const o = program.opts<CliOptions>();
  if (!o.stack && !o.plan && !o.program) throw new InvalidArgumentError("give --stack NAME, --plan FILE or --program DIR [--stack NAME]");
  const packs = o.pack.length > 0 ? o.pack : DEFAULT_PACKS;
  if (o.config.length > packs.length)
    throw new InvalidArgumentError(`${o.config.length} --config files for ${packs.length} packs: each --config belongs to the --pack in the same position`);
  return { ...o, pack: packs.map((p) => resolve(p)) };
}

/** The program under mocks, loaded on first use: it pulls in @pulumi/aws, which a plan file does not need. */
function loadPlanStack(): typeof PlanStackModule {
  return require("../plan/plan-stack") as typeof PlanStackModule;
}

interface Target {
  stack: string;
  project: string;
  /** The stack's config as the CLI hands it to each pack. */
  stackConfig?: StackConfig;
  /** Whether this repository's per-stack snowflake-guard config applies. */
  repoStack: boolean;
  /** Where SARIF results point: the stack's config file. */
  stackFile: string;
  plan: () => Promise<PlanFile>;
}

/** What to check. The program (and @pulumi/aws) loads only when planning: a plan file needs neither. */
function target(o: CliOptions, io: CliIo): Target {
  if (o.plan) {
    const plan = readPlanFile(o.plan);
    return { stack: plan.stack, project: plan.project, repoStack: true, stackFile: `Pulumi.${plan.stack}.yaml`, plan: () => Promise.resolve(plan) };
  }
  if (o.program) {
    const dir = resolve(o.program);
    const chosen = readProgramStack(dir, o.stack);
    for (const key of chosen.stackConfig.standIns)
      io.err(`check: ${key} is encrypted in Pulumi.${chosen.stack}.yaml; the offline check gives the program and the packs a stand-in value, marked secret\n`);
    return {
      stack: chosen.stack,
      project: chosen.project,
      stackConfig: chosen.stackConfig,
      repoStack: false,
      stackFile: `${o.program.replace(/\/$/, "")}/Pulumi.${chosen.stack}.yaml`,
      plan: async () => (await planProgram(dir, chosen.stack, { firstPreview: o.firstPreview, onOutput: (t) => io.err(t) })).plan,
    };
  }
  const stack = o.stack as string;
  const project = readProject(REPO_ROOT).name;
  const stackConfig = loadPlanStack().readStackConfigWithSecrets(REPO_ROOT, stack);
  for (const key of stackConfig.standIns)
    io.err(
      `check: ${key} is encrypted in Pulumi.${stack}.yaml; the offline check gives the program and the packs the stand-in the program declares, marked secret\n`,
    );
  return {
    stack,
    project,
    stackConfig,
    repoStack: true,
    stackFile: `Pulumi.${stack}.yaml`,
    plan: () => loadPlanStack().planStack(stack, { unknownOutputs: o.firstPreview === true }),
  };
}

interface PackRun {
  dir: string;
  /** Read after planning: this program's stack config names the build, which planning makes fresh. */
  config: () => PackConfig;
  configSource?: string;
}

/** Each pack with its config: the --config in its position, else for snowflake-guard on this program's stacks the stack's (infra/policy-config/ and dist/manifest.json). */
function packRuns(o: CliOptions, t: Target): PackRun[] {
  return o.pack.map((dir, i) => {
    const source = o.config[i];
    if (source !== undefined) return { dir, config: () => readPackConfig(source), configSource: source };
    if (t.repoStack && dir === DEFAULT_PACK_DIR) return { dir, config: () => stackPackConfig(t.stack), configSource: `the pack config of stack ${t.stack}` };
    return { dir, config: () => ({}) };
  });
}

/** Starts every pack, plans while they boot (both take seconds), then checks the plan with each. */
async function check(o: CliOptions, t: Target, runs: PackRun[]): Promise<{ plan: PlanFile; reports: CheckReport[] }> {
  const starting = runs.map((r) =>
    AnalyzerSession.start({
      packDir: r.dir,
      stack: t.stack,
      project: t.project,
      stackConfig: t.stackConfig?.config,
      secretKeys: t.stackConfig?.secretKeys,
      loader: o.loader,
    }),
  );
  const closeAll = () => Promise.all(starting.map((s) => s.then((x) => x.close()).catch(() => undefined)));
  try {
    const plan = await t.plan();
    const configs = runs.map((r) => r.config());
    const sessions = await Promise.all(starting);
    const reports: CheckReport[] = [];
    for (const [i, session] of sessions.entries()) reports.push(await checkPlan(session, plan, configs[i], runs[i].configSource));
    return { plan, reports };
  } finally {
    await closeAll();
  }
}

function knownError(e: unknown): boolean {
  const known = [ManifestError, PlanInputError, PackConfigError, EncodeError, AnalyzerStartError, ProjectError, ProgramError, EngineError, MockError];
  if (known.some((k) => e instanceof k)) return true;
  // plan-stack loads lazily; its errors count only once it is loaded.
  return require.cache[require.resolve("../plan/plan-stack")] !== undefined && e instanceof loadPlanStack().PlanError;
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = stdio): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    // --help and --version are answered by commander (exit 0); its own usage errors it has printed already.
    if (e instanceof CommanderError && !(e instanceof InvalidArgumentError)) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof InvalidArgumentError) io.err(`check: ${e.message}\n`);
    return 2;
  }
  try {
    const started = Date.now();
    const t = target(o, io);
    const { reports } = await check(o, t, packRuns(o, t));
    const seconds = (Date.now() - started) / 1000;
    if (o.sarif) writeFileSync(o.sarif, `${JSON.stringify(toSarifReports(reports, t.stackFile), null, 2)}\n`);
    if (o.json) io.out(`${JSON.stringify(toJsonReports(reports), null, 2)}\n`);
    else io.out(`${formatReports(reports, seconds)}\n`);
    return reports.some(hasMandatory) ? 1 : 0;
  } catch (e) {
    io.err(`check failed: ${knownError(e) ? (e as Error).message : String((e as Error).stack ?? e)}\n`);
    return 2;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => exitAfterOutput(code),
    (e: unknown) => {
      process.stderr.write(`check failed: ${String(e)}\n`);
      exitAfterOutput(2);
    },
  );
}
