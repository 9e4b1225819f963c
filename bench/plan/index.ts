// `npm run bench:plan -- [--runs N] [--json]`: how long the offline plan
// takes for the dev stack and what each added region costs (2 vs 6 regions).
// The bar: dev within 15 s end to end, each added region under 1 s.
import { Option } from "commander";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { cliProgram, EXIT_OK, exitWith, runCli } from "../../cli/exit-codes";
import { readStackConfig, planStack, REPO_ROOT } from "../../toolchain/plan/plan-stack";
import { parseConfig, rawConfigFromPulumi } from "../../infra/config";
import { ensureFreshBuild } from "../../toolchain/build/ensure";

const EXTRA_REGIONS = ["ap-southeast-2", "us-west-2", "ap-northeast-1", "sa-east-1"];

/** Wall-clock and CPU milliseconds of one run; CPU time shows the cost on a machine busy with other work. */
async function time(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - started) / 1e6, cpu: (used.user + used.system) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(o: { runs: number; json?: boolean }): Promise<number> {
  const { runs } = o;
  await ensureFreshBuild(REPO_ROOT);
  const dev = parseConfig("dev", rawConfigFromPulumi(readStackConfig(REPO_ROOT, "dev")));
  const two = dev.regions.map((r) => ({
    name: r.name,
    ...(r.residency ? { residency: r.residency } : {}),
    ...(r.logArchiveRegion !== dev.centralLogRegion ? { logArchiveRegion: r.logArchiveRegion } : {}),
  }));
  const six = [...two, ...EXTRA_REGIONS.map((name) => ({ name }))];

  await planStack("dev", { ensureBuild: false }); // warm-up: module loading is paid once per process
  const measure = async (regions: object[]) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    let resources = 0;
    for (let i = 0; i < runs; i++) {
      const t = await time(async () => (resources = (await planStack("dev", { ensureBuild: false, config: { regions } })).resources.length));
      wall.push(t.wall);
      cpu.push(t.cpu);
    }
    return { regions: regions.length, resources, medianMs: Math.round(median(wall)), medianCpuMs: Math.round(median(cpu)) };
  };
  const small = await measure(two);
  const large = await measure(six);
  const added = large.regions - small.regions;
  const perRegionMs = Math.round((large.medianMs - small.medianMs) / added);
  const perRegionCpuMs = Math.round((large.medianCpuMs - small.medianCpuMs) / added);
  const result = { runs, small, large, perAddedRegionMs: perRegionMs, perAddedRegionCpuMs: perRegionCpuMs };
  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      `${small.regions} regions: ${small.resources} resources in ${small.medianMs} ms (cpu ${small.medianCpuMs} ms; median of ${runs})\n` +
        `${large.regions} regions: ${large.resources} resources in ${large.medianMs} ms (cpu ${large.medianCpuMs} ms)\n` +
        `each added region: ${perRegionMs} ms (cpu ${perRegionCpuMs} ms)\n`,
    );
  }
  return EXIT_OK;
}

const program = cliProgram("npm run bench:plan --", "How long the offline plan takes for the dev stack and what each added region costs (2 vs 6 regions)")
  .addOption(new Option("--runs <n>", "measured runs per size").argParser(wholeNumberAbove0).default(3))
  .option("--json", "print JSON")
  .action(async (o: { runs: number; json?: boolean }) => {
    process.exitCode = await main(o);
  });

void runCli(program).then(exitWith);
