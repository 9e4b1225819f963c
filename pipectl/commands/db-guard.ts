// `pipectl db-guard`: the deployed guard's measurement and decision, run by
// hand against any PostgreSQL. One reading above the threshold counts as a
// breach here (the deployed alarm wants 5 consecutive minutes).
import { RDSClient } from "@aws-sdk/client-rds";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { DEFAULT_POLICY, readThreshold, type ConnectionPolicy } from "../../handlers/db-guard/config";
import { writeMaxConnectionsFloor } from "../../handlers/db-guard/connections-floor";
import { judgeReading, type ReadingVerdict } from "../../handlers/db-guard/decide";
import { measureConnections } from "../../handlers/db-guard/measure";
import { readConfiguredMaxConnections, setMaxConnections } from "../../handlers/db-guard/parameter-group";
import { createDatabaseClient } from "../../handlers/shared/db";

interface DbGuardOptions {
  databaseUrl?: string;
  dryRun?: boolean;
  json?: boolean;
  threshold?: string;
  step?: string;
  ceiling?: string;
  parameterGroup?: string;
  region?: string;
  floorParameter?: string;
}

function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  return value === undefined ? fallback : wholeNumberAbove0(value, flag);
}

export function register(program: Command): void {
  program
    .command("db-guard")
    .description(
      "Measure connection use (pg_stat_activity) against max_connections and say what the guard would change. " +
        "Run by hand, one reading above the threshold is a breach; the deployed guard acts only after 5 consecutive minutes (its alarm).",
    )
    .option("--database-url <url>", "PostgreSQL to measure (default: DATABASE_URL)")
    .option("--dry-run", "measure and decide only; change nothing")
    .option("--json", "print one JSON object: active, total, max, utilization, threshold, breach, proposedMaxConnections")
    .option("--threshold <fraction>", "utilization above which a reading is a breach", String(DEFAULT_POLICY.threshold))
    .option("--step <n>", "connections added per remediation", String(DEFAULT_POLICY.step))
    .option("--ceiling <n>", "max_connections never raised beyond this", String(DEFAULT_POLICY.ceiling))
    .option("--parameter-group <name>", "RDS DB parameter group to change (needs AWS credentials)")
    .option("--region <region>", "AWS region of the parameter group")
    .option("--floor-parameter <name>", "SSM parameter to record the new floor in (with --parameter-group)")
    .action(async (opts: DbGuardOptions) => {
      const url = opts.databaseUrl ?? process.env.DATABASE_URL;
      if (url === undefined || url === "") throw new Error("no database: pass --database-url postgres://user:password@host:5432/db or set DATABASE_URL");
      const policy: ConnectionPolicy = {
        threshold: readThreshold(opts.threshold, "--threshold"),
        step: positiveInteger(opts.step, "--step", DEFAULT_POLICY.step),
        ceiling: positiveInteger(opts.ceiling, "--ceiling", DEFAULT_POLICY.ceiling),
      };
      const aws = opts.parameterGroup !== undefined;
      if (aws && opts.region === undefined) throw new Error("--parameter-group needs --region (the region of the RDS instance)");
      const rds = aws ? new RDSClient({ region: opts.region }) : undefined;

      const db = createDatabaseClient({ settings: { source: "url", url, tls: undefined }, applicationName: "pipectl db-guard" });
      let verdict: ReadingVerdict;
      try {
        const sample = await measureConnections(db);
        if (sample.hidden > 0) {
          process.stderr.write(`warning: the state of ${sample.hidden} session(s) is hidden from this role, so "active" undercounts; connect as a role with pg_monitor\n`);
        }
        const configured = rds && opts.parameterGroup ? await readConfiguredMaxConnections(rds, opts.parameterGroup) : undefined;
        verdict = judgeReading(sample, policy, configured);
      } finally {
        await db.end();
      }

      const out = (line: string) => process.stdout.write(`${line}\n`);
      if (opts.json) out(JSON.stringify(verdict));
      else {
        out(`active ${verdict.active} / max_connections ${verdict.max} = ${verdict.utilization.toFixed(2)} (threshold ${verdict.threshold}); ${verdict.total} connected`);
        out(verdict.breach ? `breach: ${verdict.reason}` : `no breach: ${verdict.reason}`);
      }
      if (!verdict.breach || verdict.proposedMaxConnections === null || opts.dryRun) return;

      const change = `max_connections ${verdict.max} -> ${verdict.proposedMaxConnections} (apply method pending-reboot)`;
      if (!rds || opts.parameterGroup === undefined) {
        // Written to stderr so --json stays one parseable object on stdout.
        process.stderr.write(`would set ${change}; changing it needs AWS: pass --parameter-group NAME --region REGION\n`);
        return;
      }
      await setMaxConnections(rds, opts.parameterGroup, verdict.proposedMaxConnections);
      if (opts.floorParameter !== undefined) {
        await writeMaxConnectionsFloor(new SSMClient({ region: opts.region }), opts.floorParameter, verdict.proposedMaxConnections, "Raised by pipectl db-guard.");
      }
      process.stderr.write(`set ${change} in ${opts.parameterGroup}; reboot the instance to apply it\n`);
    });
}
