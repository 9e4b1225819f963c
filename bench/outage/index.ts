// `npm run bench:outage -- [--outage-seconds 120] [--uploads 300] [--json]`:
// a database outage on the local pipeline under the deployed retry settings,
// played on a smaller time scale. The scale maps the deployed outage
// tolerance (queue.outageToleranceMinutes, 30 min by default) onto the local
// outage: every duration of the deployed queue (visibility timeout, backoff
// base, function timeout) is multiplied by it, maxReceiveCount is kept. Two
// runs side by side: the deployed settings (backoff on, 8 receives) and the
// settings before the backoff (5 receives, redelivery after the visibility
// timeout only). Exit 1 unless the deployed settings end with every upload
// ok and no dead letter.
import { Option } from "commander";
import { cliProgram, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "../../cli/exit-codes";
import { DEFAULT_RETRY_SCHEDULE, survivableOutageSeconds } from "../../contracts/retry-schedule";
import { visibilityTimeoutSeconds } from "../../infra/budget";
import { DEFAULT_FUNCTIONS, parseConfig } from "../../infra/config";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { runOutage, type OutageResult } from "./scenario";

interface Options {
  outageSeconds: number;
  uploads: number;
  json?: boolean;
}

async function main(): Promise<number> {
  const program = cliProgram(
    "npm run bench:outage --",
    "A local database outage under the deployed retry schedule, scaled to the local time scale, beside the settings before it. Exit 1 when an upload is lost or dead-lettered under the deployed settings.",
  )
    .addOption(new Option("--outage-seconds <n>", "how long the local database stays down").argParser(wholeNumberAbove0).default(120))
    .addOption(new Option("--uploads <n>", "uploads made while it is down").argParser(wholeNumberAbove0).default(300))
    .option("--json", "print the result as JSON");
  try {
    program.parse(process.argv);
  } catch (err) {
    // Commander printed the problem (or the help) already.
    return (err as { exitCode?: number }).exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const opts = program.opts<Options>();
  process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

  // The deployed defaults, as the program derives them.
  const deployed = parseConfig("bench", { regions: [{ name: "us-east-1" }], alerts: { emails: ["bench@example.com"] } });
  const deployedVisibility = visibilityTimeoutSeconds(DEFAULT_FUNCTIONS.thumbnails.timeoutSeconds);
  const scale = opts.outageSeconds / (deployed.queue.outageToleranceMinutes * 60);
  const visibilitySeconds = Math.max(1, Math.round(deployedVisibility * scale));
  const functionTimeoutSeconds = Math.max(4, Math.round(DEFAULT_FUNCTIONS.thumbnails.timeoutSeconds * scale));
  const after = { baseSeconds: Math.max(1, Math.round(deployed.queue.retry.baseSeconds * scale)), maxReceiveCount: deployed.queue.retry.maxReceiveCount };
  const before = { baseSeconds: after.baseSeconds, maxReceiveCount: 5 };
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(
    `scale 1:${(1 / scale).toFixed(1)}: deployed visibility ${deployedVisibility} s -> ${visibilitySeconds} s, backoff base ${DEFAULT_RETRY_SCHEDULE.baseSeconds} s -> ${after.baseSeconds} s, ` +
      `maxReceiveCount ${after.maxReceiveCount}; survives ${survivableOutageSeconds(after)} s locally (${survivableOutageSeconds(deployed.queue.retry)} s deployed)`,
  );

  const runs: { name: string; result: OutageResult }[] = [];
  for (const [name, schedule, holdBack] of [
    ["deployed settings (backoff, 8 receives)", after, true],
    ["before the backoff (5 receives, visibility only)", before, false],
  ] as const) {
    say(`${name}: ${opts.uploads} uploads, ${opts.outageSeconds} s outage...`);
    const result = await runOutage({
      uploads: opts.uploads,
      outageSeconds: opts.outageSeconds,
      visibilitySeconds,
      functionTimeoutSeconds,
      schedule,
      holdBack,
      log: (line) => say(`  ${line}`),
    });
    runs.push({ name, result });
  }
  if (opts.json) process.stdout.write(`${JSON.stringify({ scale, visibilitySeconds, functionTimeoutSeconds, runs })}\n`);
  else {
    for (const { name, result } of runs) {
      process.stdout.write(
        `${name.padEnd(50)} ok ${result.ok}/${result.uploads} | failed ${result.failed} | dead letters ${result.deadLetters} | missing ${result.missing} | recovered ${result.recoverySeconds} s after the outage\n`,
      );
    }
  }
  const deployedRun = runs[0].result;
  return deployedRun.ok === deployedRun.uploads && deployedRun.deadLetters === 0 ? EXIT_OK : EXIT_FAILED;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:outage: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT_USAGE);
  },
);
