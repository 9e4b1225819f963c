// `npm run bench:startup -- [--runs N] [--json]`: what the operator CLI costs
// to start, measured on the bin itself (`node bin/pipectl.js`, the file
// package.json's `bin` names; npx would add its own start-up), side by side
// with `node -e 0` in the same run, rounds interleaved so a busy machine
// weighs on all of them alike. The bars: `pipectl --help` at most 0.3
// CPU-seconds, `pipectl process` of one small image at most 0.8. The same
// commands from the TypeScript sources through tsx are shown for scale.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Option } from "commander";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { cliProgram, EXIT_FAILED, EXIT_OK, exitWith, runCli, UsageError } from "../../cli/exit-codes";
import { REPO_ROOT } from "../../cli/repo-root";
import { measure } from "../thumbnail/measure";
import { findBinary, type RunCommand } from "../thumbnail/tools";
import { median } from "../thumbnail/report";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain-JS module of bin/ (it runs without tsx)
const { ensureCompiled } = require(join(REPO_ROOT, "bin", "compiled-cli.js")) as { ensureCompiled(name: string): string };

export const BARS = { help: 0.3, process: 0.8 } as const;
const SMALL_IMAGE = join(REPO_ROOT, "samples", "harbour.jpg");

interface Row {
  id: string;
  label: string;
  command: RunCommand;
  /** The bar in CPU-seconds, for the rows the issue sets one for. */
  bar?: number;
}

function rows(outDir: string): Row[] {
  const bin = join(REPO_ROOT, "bin", "pipectl.js");
  const tsx = ["--require", require.resolve("tsx/cjs"), join(REPO_ROOT, "pipectl", "index.ts")];
  const node = (args: string[]): RunCommand => ({ file: process.execPath, args, env: { POWERTOOLS_LOG_LEVEL: "SILENT" } });
  return [
    { id: "node", label: "node -e 0", command: node(["-e", "0"]) },
    { id: "help", label: "pipectl --help", command: node([bin, "--help"]), bar: BARS.help },
    { id: "process", label: "pipectl process (one small image)", command: node([bin, "process", "--out", outDir, SMALL_IMAGE]), bar: BARS.process },
    { id: "help-tsx", label: "pipectl --help from source (tsx)", command: node([...tsx, "--help"]) },
    { id: "process-tsx", label: "pipectl process from source (tsx)", command: node([...tsx, "process", "--out", outDir, SMALL_IMAGE]) },
  ];
}

interface Figure {
  id: string;
  label: string;
  cpuSeconds: number;
  peakRssMb: number;
  /** CPU-seconds over `node -e 0`'s, measured in the same run. */
  timesNode: number;
  bar?: number;
  pass?: boolean;
}

async function bench(runs: number): Promise<Figure[]> {
  const bash = findBinary("bash");
  if (!bash || !existsSync("/usr/bin/time")) throw new UsageError("measuring needs bash and GNU time (/usr/bin/time): apt-get install time");
  if (!existsSync(SMALL_IMAGE)) throw new UsageError(`${SMALL_IMAGE} is missing`);
  // Compiled before the clock starts: a rebuild after an edit is not start-up.
  ensureCompiled("pipectl");
  const outDir = mkdtempSync(join(tmpdir(), "bench-startup-"));
  try {
    const table = rows(outDir);
    const samples = new Map<string, { cpu: number[]; rss: number[] }>(table.map((r) => [r.id, { cpu: [], rss: [] }]));
    // One warm-up round (file system cache), then `runs` measured rounds, each command once per round.
    for (let round = 0; round <= runs; round++) {
      for (const row of table) {
        const m = await measure(bash, row.command);
        if (round === 0) continue;
        samples.get(row.id)?.cpu.push(m.cpuSeconds);
        samples.get(row.id)?.rss.push(m.peakRssMb);
      }
    }
    const nodeCpu = median(samples.get("node")?.cpu ?? []);
    return table.map((row) => {
      const s = samples.get(row.id) ?? { cpu: [], rss: [] };
      const cpuSeconds = median(s.cpu);
      return {
        id: row.id,
        label: row.label,
        cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
        peakRssMb: Math.round(median(s.rss) * 10) / 10,
        timesNode: Math.round((cpuSeconds / nodeCpu) * 10) / 10,
        ...(row.bar !== undefined ? { bar: row.bar, pass: cpuSeconds <= row.bar } : {}),
      };
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function format(figures: Figure[], runs: number): string {
  const lines = [`start-up, median of ${runs} interleaved runs (CPU-seconds: user + sys)`];
  for (const f of figures) {
    const bar = f.bar !== undefined ? `  bar <= ${f.bar.toFixed(2)}: ${f.pass ? "pass" : "FAIL"}` : "";
    lines.push(
      `  ${f.label.padEnd(36)} ${f.cpuSeconds.toFixed(3).padStart(6)} s  ${`${f.timesNode.toFixed(1)}x node -e 0`.padStart(16)}  ${f.peakRssMb.toFixed(1).padStart(6)} MB${bar}`,
    );
  }
  return lines.join("\n");
}

const program = cliProgram("npm run bench:startup --", "The operator CLI's start-up cost beside node -e 0. Exit 1 when a bar is missed.");
program
  .addOption(new Option("--runs <n>", "measured rounds").argParser(wholeNumberAbove0).default(7))
  .option("--json", "print the figures as JSON")
  .action(async (o: { runs: number; json?: boolean }) => {
    const figures = await bench(o.runs);
    process.stdout.write(o.json ? `${JSON.stringify({ runs: o.runs, figures }, null, 2)}\n` : `${format(figures, o.runs)}\n`);
    process.exitCode = figures.every((f) => f.pass !== false) ? EXIT_OK : EXIT_FAILED;
  });

void runCli(program).then(exitWith);
