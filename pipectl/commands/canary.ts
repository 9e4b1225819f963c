// `pipectl canary --local`: start the local pipeline, run the canary check
// once (the same code the scheduled function runs), print its steps and
// timings, exit 0 when it passed and 1 when it did not.
import { Option, type Command } from "commander";
import { secondsAbove0 } from "../../cli/arguments";
import { EXIT_FAILED, EXIT_OK, UsageError } from "../../cli/exit-codes";

interface CanaryOptions {
  local?: boolean;
  timeout: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("canary")
    .description("Run the synthetic canary check once: upload -> thumbnails -> row")
    .option("--local", "against a freshly started local pipeline (embedded PostgreSQL, in-process S3/SQS)")
    .addOption(new Option("--timeout <seconds>", "how long the pipeline gets").argParser(secondsAbove0).default(60))
    .option("--json", "print the result as JSON")
    .action(async (options: CanaryOptions) => {
      if (!options.local) {
        throw new UsageError("only --local is supported here; deployed regions run the canary function every 5 minutes (invoke it with `aws lambda invoke`)");
      }
      process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
      process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
      const { formatCanary, runLocalCanary } = require("../../local/canary") as typeof import("../../local/canary");
      const { startLocalPipeline } = require("../../local/pipeline") as typeof import("../../local/pipeline");
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const pipeline = await startLocalPipeline({ databaseUrl: process.env.DATABASE_URL, log: options.json ? undefined : log });
      try {
        const result = await runLocalCanary(pipeline, options.timeout * 1000);
        process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${formatCanary(result)}\n`);
        process.exitCode = result.ok ? EXIT_OK : EXIT_FAILED;
      } finally {
        await pipeline.stop();
      }
    });
}
