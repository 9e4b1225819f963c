// `npm start`: the whole pipeline on this machine (embedded PostgreSQL or
// DATABASE_URL, in-process S3 and SQS, the real handler), fed with the sample
// images and any files or folders given after `--`; prints a line per image
// and a summary, runs the canary once, and exits 0 when every upload ended as
// ok, failed with a reason, or dead-lettered, and the canary passed.
// `--watch DIR` then keeps processing files dropped into DIR until Ctrl-C.
import { join } from "node:path";
import { Option } from "commander";
import { wholeNumberAbove0 } from "../cli/arguments";
import { cliProgram, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, exitAfterOutput } from "../cli/exit-codes";
import { REPO_ROOT } from "../cli/repo-root";
import { runLocalCanary, formatCanary } from "./canary";
import { collectFiles } from "./files";
import { startLocalPipeline, type LocalPipeline } from "./pipeline";
import { processFiles } from "./run-files";
import { formatSummary, formatTable, succeeded, summarize } from "./start-report";
import { watchFolder } from "./watch";

interface StartOptions {
  samples: boolean;
  watch?: string;
  json?: boolean;
  timeout: number;
  concurrency: number;
  canary: boolean;
  logs?: boolean;
  s3Dir?: string;
  serve: boolean;
  keepServing?: boolean;
  apiPort?: number;
  eventsWebhook?: string;
}

async function main(argv: string[]): Promise<number> {
  const program = cliProgram("npm start --", "Run the thumbnail pipeline locally on embedded defaults and report every image")
    .argument("[paths...]", "extra image files or folders to upload besides samples/")
    .option("--no-samples", "do not upload the images in samples/")
    .option("--watch <dir>", "keep running and process files dropped into this folder")
    .option("--json", "print one JSON object per image and a summary object")
    .addOption(new Option("--timeout <seconds>", "how long to wait for every row").argParser(wholeNumberAbove0).default(120))
    .addOption(new Option("--concurrency <n>", "concurrent invocations (the connection budget)").argParser(wholeNumberAbove0).default(4))
    .option("--no-canary", "skip the canary check")
    .option("--logs", "show the handler's JSON logs and EMF metrics")
    .option("--s3-dir <dir>", "keep the local S3's objects in this folder (default: a temporary one)")
    .option("--no-serve", "do not serve the upload API and page (they are served by default, and kept up with --watch or --keep-serving)")
    .option("--keep-serving", "after the run, keep serving the API and page until Ctrl-C")
    .option("--events-webhook <url>", "also POST every result event (EventBridge's envelope) to this URL")
    .addOption(new Option("--api-port <port>", "port of the API and page on 127.0.0.1 (default: any free one)").argParser(wholeNumberAbove0));
  try {
    program.parse(argv);
  } catch (err) {
    // Commander printed the problem (or the help) already.
    return (err as { exitCode?: number }).exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const opts = program.opts<StartOptions>();
  const files = collectFiles([...(opts.samples ? [join(REPO_ROOT, "samples")] : []), ...program.args], "uploads/");

  if (!opts.logs) {
    // The handler logs JSON lines and EMF metrics for CloudWatch; here the table says it all.
    process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
    process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  }
  const say = (line: string) => {
    if (!opts.json) process.stderr.write(`${line}\n`);
  };
  say("starting the local pipeline (PostgreSQL, S3, SQS, thumbnails handler)...");
  const pipeline = await startLocalPipeline({
    databaseUrl: process.env.DATABASE_URL,
    concurrency: opts.concurrency,
    log: say,
    ...(opts.s3Dir ? { s3Directory: opts.s3Dir } : {}),
    // The function's containers have only their own environment (as on Lambda), so the quiet settings go there too.
    ...(opts.logs
      ? { onFunctionOutput: (chunk: string) => process.stderr.write(chunk) }
      : { functionEnv: { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" } }),
    ...(opts.eventsWebhook ? { eventsWebhookUrl: opts.eventsWebhook } : {}),
    ...(opts.serve ? { api: opts.apiPort !== undefined ? { port: opts.apiPort } : {} } : {}),
  });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= pipeline.stop());
  process.once("SIGINT", () => {
    say("stopping...");
    // Ctrl-C is how --watch ends normally; anywhere else it cut the run short.
    void stop().then(() => exitAfterOutput(opts.watch ? EXIT_OK : EXIT_INTERRUPTED));
  });
  try {
    // Always on stderr, --json or not: how to reach this pipeline while it runs.
    process.stderr.write(
      `S3 ${pipeline.endpoints.s3} | SQS ${pipeline.endpoints.sqs} | queue ${pipeline.queue.name} (DLQ ${pipeline.dlq.name}) | concurrency ${pipeline.concurrency}\n`,
    );
    for (const line of operatorCommands(pipeline)) process.stderr.write(`${line}\n`);
    if (pipeline.api) process.stderr.write(`API and upload page: ${pipeline.api.url}/ (uploads go to ${pipeline.api.s3Endpoint}, POST policies checked)\n`);
    process.stderr.write(
      `result events (local bus): ${pipeline.api ? `GET ${pipeline.api.url}/events` : "kept in memory"}${opts.eventsWebhook ? ` and POST ${opts.eventsWebhook}` : ""}\n`,
    );
    say(`uploading ${files.length} file(s)...`);
    const results = await processFiles(pipeline, files, opts.timeout * 1000);
    const canary = opts.canary ? await runLocalCanary(pipeline) : undefined;
    const summary = summarize(results, canary === undefined ? "skipped" : canary.ok ? "passed" : "failed");
    if (opts.json) {
      for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
      process.stdout.write(`${JSON.stringify({ summary, canary })}\n`);
    } else {
      process.stdout.write(`${formatTable(results)}\n\n`);
      if (canary) process.stdout.write(`${formatCanary(canary)}\n\n`);
      process.stdout.write(`${formatSummary(summary)}\n`);
    }
    const ok = succeeded(summary);
    if (opts.keepServing && pipeline.api && !opts.watch) {
      process.stderr.write(`serving ${pipeline.api.url}/ until Ctrl-C\n`);
      await new Promise<never>(() => undefined);
    }
    if (!opts.watch) return ok ? EXIT_OK : EXIT_FAILED;
    await watchAndProcess(pipeline, opts.watch, opts.timeout, opts.json === true);
    return EXIT_OK;
  } finally {
    await stop();
  }
}

/** What an operator runs against this pipeline while it lives (the local servers' credentials are picked from the endpoints). */
function operatorCommands(pipeline: LocalPipeline): string[] {
  const sqs = `--sqs-endpoint ${pipeline.endpoints.sqs} --database-url ${pipeline.databaseUrl}`;
  return [
    `reprocess: npx pipectl reprocess --bucket ${pipeline.buckets.raw} --queue-url ${pipeline.queue.url} --s3-endpoint ${pipeline.endpoints.s3} ${sqs} --prefix uploads/`,
    `redrive:   npx pipectl dlq redrive --queue-url ${pipeline.queue.url} --dlq-url ${pipeline.dlq.url} ${sqs}`,
  ];
}

async function watchAndProcess(pipeline: LocalPipeline, dir: string, timeoutSeconds: number, json: boolean): Promise<void> {
  process.stderr.write(`watching ${dir} for new files; Ctrl-C to stop\n`);
  await watchFolder(dir, async (path) => {
    const results = await processFiles(pipeline, collectFiles([path], "watch/"), timeoutSeconds * 1000);
    for (const r of results) process.stdout.write(json ? `${JSON.stringify(r)}\n` : `${formatTable([r]).split("\n")[2]}\n`);
  });
}

main(process.argv).then(
  (code) => exitAfterOutput(code),
  (error: unknown) => {
    process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
    exitAfterOutput(EXIT_USAGE);
  },
);
