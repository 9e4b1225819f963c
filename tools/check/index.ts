// `npm run check -- (--stack NAME | --plan FILE) [--json] [--sarif FILE] [--config FILE] [--loader tsx]`:
// the policy pack over the Analyzer protocol the Pulumi CLI uses, against the
// program under mocks (--stack) or a plan file. Exit 1 on any mandatory
// violation, 2 when the check itself could not run.
import { Command, InvalidArgumentError, Option } from "commander";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ManifestError } from "../build/manifest";
import type * as PlanStackModule from "../plan/plan-stack";
import type { PlanFile } from "../plan/plan-stack";
import { AnalyzerSession, AnalyzerStartError, PACK_LOADERS, type PackLoader } from "./analyzer-client";
import { EncodeError } from "./encode";
import { defaultConfigPath, PackConfigError, readPackConfig, type PackConfig } from "./pack-config";
import { PlanInputError, readPlanFile } from "./plan-input";
import { formatText, toJson, toSarif } from "./report";
import { checkPlan, hasMandatory } from "./run-check";
import { readProject, readStackConfig, StackFileError } from "./stack-files";

const REPO_ROOT = resolve(__dirname, "..", "..");
export const DEFAULT_PACK_DIR = join(REPO_ROOT, "policies");

interface CliOptions {
  stack?: string;
  plan?: string;
  json?: boolean;
  sarif?: string;
  config?: string;
  pack: string;
  loader: PackLoader;
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function parseArgs(argv: string[]): CliOptions {
  const program = new Command()
    .name("npm run check --")
    .description("Check a stack (under mocks) or a plan file against the snowflake-guard policy pack, over the Pulumi Analyzer protocol")
    .addOption(new Option("--stack <name>", "plan this stack (Pulumi.<name>.yaml) under mocks and check it").conflicts("plan"))
    .addOption(new Option("--plan <file>", "check a plan file written by `npm run plan -- --out`").conflicts("stack"))
    .option("--json", "print { violations, waivers } as JSON instead of text")
    .option("--sarif <file>", "also write a SARIF 2.1.0 report (GitHub code scanning)")
    .option("--config <file>", "policy pack config (levels and waivers); default policies/config/<stack>.json when present")
    .option("--pack <dir>", "policy pack folder", DEFAULT_PACK_DIR)
    .addOption(
      new Option("--loader <name>", "how node loads the pack: pulumi-cli runs it exactly as `pulumi preview --policy-pack` does (ts-node, type-checked); tsx skips the type-check")
        .choices(PACK_LOADERS)
        .default("pulumi-cli"),
    )
    .exitOverride()
    .configureOutput({ writeOut: (t) => process.stdout.write(t), writeErr: (t) => process.stderr.write(t) })
    .showHelpAfterError();
  program.parse(argv, { from: "user" });
  const o = program.opts<CliOptions>();
  if (!o.stack && !o.plan) throw new InvalidArgumentError("give --stack NAME or --plan FILE");
  return o;
}

/** The program under mocks, loaded on first use: it pulls in @pulumi/aws, which a plan file does not need. */
function loadPlanStack(): typeof PlanStackModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
  return require("../plan/plan-stack") as typeof PlanStackModule;
}

interface Target {
  stack: string;
  project: string;
  stackConfig?: Record<string, string>;
  plan: () => Promise<PlanFile>;
}

/** What to check. The program (and @pulumi/aws) loads only for --stack: a plan file needs neither. */
async function target(o: CliOptions): Promise<Target> {
  if (o.plan) {
    const plan = readPlanFile(o.plan);
    return { stack: plan.stack, project: plan.project, plan: () => Promise.resolve(plan) };
  }
  const stack = o.stack as string;
  return { stack, project: readProject(REPO_ROOT), stackConfig: readStackConfig(REPO_ROOT, stack), plan: () => loadPlanStack().planStack(stack) };
}

/** Starts the pack, then plans while it boots (both take seconds), then checks. */
async function check(o: CliOptions, t: Target, config: PackConfig) {
  const starting = AnalyzerSession.start({ packDir: o.pack, stack: t.stack, project: t.project, stackConfig: t.stackConfig, loader: o.loader });
  let plan: PlanFile;
  try {
    plan = await t.plan();
  } catch (e) {
    await starting.then((s) => s.close()).catch(() => undefined);
    throw e;
  }
  const session = await starting;
  try {
    return { plan, report: await checkPlan(session, plan, config) };
  } finally {
    await session.close();
  }
}

function loadConfig(o: CliOptions, stack: string): { config: PackConfig; source?: string } {
  const source = o.config ?? defaultConfigPath(o.pack, stack);
  return source ? { config: readPackConfig(source), source } : { config: {} };
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = stdio): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (e instanceof InvalidArgumentError) io.err(`check: ${e.message}\n`);
    return 2;
  }
  try {
    const started = Date.now();
    const t = await target(o);
    const { config } = loadConfig(o, t.stack);
    const { plan, report } = await check(o, t, config);
    const seconds = (Date.now() - started) / 1000;
    if (o.sarif) writeFileSync(o.sarif, `${JSON.stringify(toSarif(report, `Pulumi.${plan.stack}.yaml`), null, 2)}\n`);
    if (o.json) io.out(`${JSON.stringify(toJson(report), null, 2)}\n`);
    else io.out(`${formatText(report, seconds)}\n`);
    return hasMandatory(report) ? 1 : 0;
  } catch (e) {
    const known = [ManifestError, PlanInputError, PackConfigError, EncodeError, AnalyzerStartError, StackFileError, ...(o.stack ? [loadPlanStack().PlanError] : [])].some((k) => e instanceof k);
    io.err(`check failed: ${known ? (e as Error).message : String((e as Error).stack ?? e)}\n`);
    return 2;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`check failed: ${String(e)}\n`);
      process.exit(2);
    },
  );
}
