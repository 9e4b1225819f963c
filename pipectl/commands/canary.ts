// `pipectl canary --local`: start the local pipeline, run the canary check
// once (the same code the scheduled function runs), print its steps and
// timings, exit 0 when it passed and 1 when it did not.
import { Command } from "commander";
import { formatCanary, runLocalCanary } from "../../local/canary";
import { startLocalPipeline } from "../../local/pipeline";

interface CanaryOptions {
  local?: boolean;
  timeout: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("canary")
    .description("Run the synthetic canary check once: upload -> thumbnails -> row")
    .option("--local", "against a freshly started local pipeline (embedded PostgreSQL, in-process S3/SQS)")
    .option("--timeout <seconds>", "how long the pipeline gets", "60")
    .option("--json", "print the result as JSON")
    .action(async (options: CanaryOptions) => {
      if (!options.local) {
        throw new Error("only --local is supported here; deployed regions run the canary function every 5 minutes (invoke it with `aws lambda invoke`)");
      }
      const timeoutSeconds = Number(options.timeout);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`--timeout ${JSON.stringify(options.timeout)} is not a positive number of seconds`);
      process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
      process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const pipeline = await startLocalPipeline({ databaseUrl: process.env.DATABASE_URL, log: options.json ? undefined : log });
      try {
        const result = await runLocalCanary(pipeline, timeoutSeconds * 1000);
        process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${formatCanary(result)}\n`);
        process.exitCode = result.ok ? 0 : 1;
      } finally {
        await pipeline.stop();
      }
    });
}
