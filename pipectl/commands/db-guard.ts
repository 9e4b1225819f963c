// `pipectl db-guard`: the deployed guard's measurement and decision, run by
// hand against any PostgreSQL. One reading above the threshold counts as a
// breach here (the deployed alarm wants 5 consecutive minutes). The AWS SDK
// and pg load only when the command runs.
import { Option, type Command } from "commander";
import { parsedBy, wholeNumberAbove0 } from "../../cli/arguments";
import { EXIT_OK, UsageError } from "../../cli/exit-codes";
import { DEFAULT_POLICY, readThreshold } from "../../handlers/db-guard/config";
import type { ReadingVerdict } from "../../handlers/db-guard/decide";

interface DbGuardOptions {
  databaseUrl: string;
  dryRun?: boolean;
  json?: boolean;
  threshold: number;
  step: number;
  ceiling: number;
  parameterGroup?: string;
  region?: string;
  floorParameter?: string;
}

export function register(program: Command): void {
  program
    .command("db-guard")
    .description(
      "Measure connection use (pg_stat_activity) against max_connections and say what the guard would change. " +
        "Run by hand, one reading above the threshold is a breach; the deployed guard acts only after 5 consecutive minutes (its alarm).",
    )
    .addOption(new Option("--database-url <url>", "PostgreSQL to measure").env("DATABASE_URL").makeOptionMandatory())
    .option("--dry-run", "measure and decide only; change nothing")
    .option("--json", "print one JSON object: active, total, max, utilization, threshold, breach, proposedMaxConnections")
    .addOption(
      new Option("--threshold <fraction>", "utilization above which a reading is a breach")
        .argParser(parsedBy((v) => readThreshold(v, "--threshold")))
        .default(DEFAULT_POLICY.threshold),
    )
    .addOption(new Option("--step <n>", "connections added per remediation").argParser(wholeNumberAbove0).default(DEFAULT_POLICY.step))
    .addOption(new Option("--ceiling <n>", "max_connections never raised beyond this").argParser(wholeNumberAbove0).default(DEFAULT_POLICY.ceiling))
    .option("--parameter-group <name>", "RDS DB parameter group to change (needs AWS credentials and --region)")
    .option("--region <region>", "AWS region of the parameter group")
    .option("--floor-parameter <name>", "SSM parameter to record the new floor in (with --parameter-group)")
    .action(async (opts: DbGuardOptions) => {
      process.exitCode = await dbGuard(opts);
    });
}

async function dbGuard(opts: DbGuardOptions): Promise<number> {
  if (opts.parameterGroup !== undefined && opts.region === undefined) throw new UsageError("--parameter-group needs --region (the region of the RDS instance)");
  if (opts.floorParameter !== undefined && opts.parameterGroup === undefined)
    throw new UsageError("--floor-parameter records a change made with --parameter-group; pass both");
  const { RDSClient } = await import("@aws-sdk/client-rds");
  const { judgeReading } = require("../../handlers/db-guard/decide") as typeof import("../../handlers/db-guard/decide");
  const { measureConnections } = require("../../handlers/db-guard/measure") as typeof import("../../handlers/db-guard/measure");
  const { readConfiguredMaxConnections, setMaxConnections } =
    require("../../handlers/db-guard/parameter-group") as typeof import("../../handlers/db-guard/parameter-group");
  const { createDatabaseClient } = require("../../handlers/shared/db") as typeof import("../../handlers/shared/db");
  const policy = { threshold: opts.threshold, step: opts.step, ceiling: opts.ceiling };
  const rds = opts.parameterGroup !== undefined ? new RDSClient({ region: opts.region }) : undefined;

  const db = createDatabaseClient({ settings: { source: "url", url: opts.databaseUrl, tls: undefined }, applicationName: "pipectl db-guard" });
  let verdict: ReadingVerdict;
  try {
    const sample = await measureConnections(db);
    if (sample.hidden > 0) {
      process.stderr.write(
        `warning: the state of ${sample.hidden} session(s) is hidden from this role, so "active" undercounts; connect as a role with pg_monitor\n`,
      );
    }
    const configured = rds && opts.parameterGroup ? await readConfiguredMaxConnections(rds, opts.parameterGroup) : undefined;
    verdict = judgeReading(sample, policy, configured);
  } finally {
    await db.end();
  }

  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (opts.json) out(JSON.stringify(verdict));
  else {
    out(
      `active ${verdict.active} / max_connections ${verdict.max} = ${verdict.utilization.toFixed(2)} (threshold ${verdict.threshold}); ${verdict.total} connected`,
    );
    out(verdict.breach ? `breach: ${verdict.reason}` : `no breach: ${verdict.reason}`);
  }
  // A breach is a finding of this check, but what to do about it is the guard's job: the reading itself succeeded.
  if (!verdict.breach || verdict.proposedMaxConnections === null || opts.dryRun) return EXIT_OK;

  const change = `max_connections ${verdict.max} -> ${verdict.proposedMaxConnections} (apply method pending-reboot)`;
  if (!rds || opts.parameterGroup === undefined) {
    // Written to stderr so --json stays one parseable object on stdout.
    process.stderr.write(`would set ${change}; changing it needs AWS: pass --parameter-group NAME --region REGION\n`);
    return EXIT_OK;
  }
  await setMaxConnections(rds, opts.parameterGroup, verdict.proposedMaxConnections);
  if (opts.floorParameter !== undefined) {
    const { SSMClient } = await import("@aws-sdk/client-ssm");
    const { writeMaxConnectionsFloor } = require("../../handlers/db-guard/connections-floor") as typeof import("../../handlers/db-guard/connections-floor");
    await writeMaxConnectionsFloor(new SSMClient({ region: opts.region }), opts.floorParameter, verdict.proposedMaxConnections, "Raised by pipectl db-guard.");
  }
  process.stderr.write(`set ${change} in ${opts.parameterGroup}; reboot the instance to apply it\n`);
  return EXIT_OK;
}
