// `npm run plan -- --stack NAME [--out FILE] [--diff FILE] [--json]`: the
// program under Pulumi mocks for one stack, no cloud credentials needed.
import { InvalidArgumentError } from "commander";
import { cliProgram, exitAfterOutput, runCli, UsageError } from "../../cli/exit-codes";
import { readFileSync, writeFileSync } from "node:fs";
import { ManifestError } from "../../handlers/build-manifest";
import { AliasError, diffPlans, formatDiff } from "./diff";
import { PlanError, planStack, type PlanFile } from "./plan-stack";
import { formatSummary } from "./summary";

function readPlanFile(path: string): PlanFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`cannot read plan file ${path}: ${(err as Error).message}`);
  }
  const p = parsed as Partial<PlanFile>;
  if (typeof p.stack !== "string" || !Array.isArray(p.resources))
    throw new UsageError(`${path} is not a plan file: expected { stack, project, resources: [...] }`);
  return p as PlanFile;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = cliProgram("npm run plan --", "Run the Pulumi program under mocks for one stack and show its resources by region")
    .requiredOption("--stack <name>", "stack whose Pulumi.<name>.yaml config to use")
    .option("--out <file>", "write the plan JSON to this file")
    .option("--diff <file>", "print per region what was added, removed or changed against another plan file")
    .option("--json", "print the plan JSON instead of the summary")
    .option("--first-preview", "plan like a first `pulumi preview`: computed outputs (ARNs, ids, URLs) stay unknown")
    .action(() => undefined);
  // Only parsing here: a plan is not a command action, so a bad flag stops before the program loads.
  const parsed = await runCli(program, argv);
  if (parsed !== 0 || program.opts().stack === undefined) return parsed;
  const o = program.opts<{ stack: string; out?: string; diff?: string; json?: boolean; firstPreview?: boolean }>();
  const base = o.diff !== undefined ? readPlanFile(o.diff) : undefined;

  const started = Date.now();
  const plan = await planStack(o.stack, { unknownOutputs: o.firstPreview === true });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (o.out) writeFileSync(o.out, `${JSON.stringify(plan, null, 2)}\n`);
  if (base && o.json) {
    const diffs = diffPlans(base, plan).map((d) => ({
      region: d.region,
      added: d.added.map((r) => r.urn),
      removed: d.removed.map((r) => r.urn),
      aliased: d.aliased.map((x) => ({ urn: x.resource.urn, from: x.from })),
      addedComponents: d.addedComponents.map((r) => r.urn),
      changed: d.changed.map((c) => ({ urn: c.resource.urn, changes: c.changes })),
    }));
    process.stdout.write(`${JSON.stringify({ base: o.diff, stack: o.stack, regions: diffs }, null, 2)}\n`);
  } else if (o.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  else if (base) process.stdout.write(`Diff ${o.diff} -> stack ${o.stack}:\n${formatDiff(diffPlans(base, plan))}`);
  else process.stdout.write(formatSummary(plan));
  if (!o.json) process.stderr.write(`planned in ${seconds}s${o.out ? `, wrote ${o.out}` : ""}\n`);
  return 0;
}

// Exit 2 (cli/exit-codes.ts) whenever no plan came out: a bad flag, stack or config, a stale build, a program that throws.
main(process.argv).then(exitAfterOutput, (err: unknown) => {
  const known =
    err instanceof PlanError || err instanceof ManifestError || err instanceof InvalidArgumentError || err instanceof UsageError || err instanceof AliasError;
  process.stderr.write(`plan failed: ${known ? (err as Error).message : String((err as Error).stack ?? err)}\n`);
  exitAfterOutput(2);
});
