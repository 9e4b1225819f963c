// `pipectl reprocess`: send raw objects through the pipeline again, page by
// page, as SQS batches of S3 event notifications; checkpointed in PostgreSQL
// so an interrupted run resumes, safe to start twice, with a progress bar and
// a per-reason report at the end. The batch engine (AWS SDK, pg, and the
// local pipeline for --local) loads only when the command runs.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { isoInstant, secondsAtLeast0 } from "../../cli/arguments";
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError } from "../../cli/exit-codes";
import { REPO_ROOT } from "../../cli/repo-root";
import type { ReprocessSelection } from "../batch/reprocess";
import type { TargetOptions } from "../batch/targets";

interface ReprocessOptions extends TargetOptions {
  bucket?: string;
  queueUrl?: string;
  dlqUrl?: string;
  prefix?: string;
  since?: string;
  keys?: string;
  resume?: string;
  new?: boolean;
  includeProcessed?: boolean;
  wait?: number;
  json?: boolean;
  list?: boolean;
}

/** The options every batch command takes to name where it acts. */
export function targetOptions(): Option[] {
  return [
    new Option("--local", "run against a freshly started local pipeline").conflicts(["region", "s3Endpoint", "sqsEndpoint", "queueUrl", "dlqUrl"]),
    new Option("--region <region>", "AWS region (default credential chain)"),
    new Option("--sqs-endpoint <url>", "SQS endpoint of a running local pipeline"),
    new Option("--database-url <url>", "PostgreSQL holding the images table and the run checkpoints").env("DATABASE_URL"),
  ];
}

export function register(program: Command): void {
  const command = program
    .command("reprocess")
    .description("Send raw objects through the pipeline again: resumable, safe to rerun, with progress and a per-reason report");
  for (const option of targetOptions()) command.addOption(option);
  command
    .addOption(new Option("--bucket <name>", "raw bucket (deployed stack or running local pipeline)").conflicts("local"))
    .option("--queue-url <url>", "the raw-events queue")
    .option("--dlq-url <url>", "its dead-letter queue (default: from the queue's RedrivePolicy)")
    .addOption(new Option("--s3-endpoint <url>", "S3 endpoint of a running local pipeline"))
    .option("--prefix <prefix>", "only keys under this prefix")
    .addOption(new Option("--since <iso>", "only objects modified at or after this instant (ISO 8601)").argParser(isoInstant))
    .option("--keys <file>", "exact keys, one per line")
    .option("--resume <runId>", "resume this run (default: the unfinished run with the same parameters, if any)")
    .addOption(new Option("--new", "start a new run even if an unfinished one has the same parameters").conflicts("resume"))
    .option("--include-processed", "also send objects whose current row exists (the handler makes them no-ops)")
    .addOption(new Option("--wait <seconds>", "wait up to this long for rows before reporting (default 120 with --local, else 0)").argParser(secondsAtLeast0))
    .option("--json", "progress as JSON lines on stderr, the report as JSON on stdout")
    .option("--list", "list recent runs and exit")
    .action(async (options: ReprocessOptions) => {
      process.exitCode = await reprocessCommand(options);
    });
}

async function reprocessCommand(options: ReprocessOptions): Promise<number> {
  if (!options.local && !options.list && (!options.bucket || !options.queueUrl)) {
    throw new UsageError("name the target: --bucket and --queue-url (with --region, or --s3-endpoint/--sqs-endpoint), or --local");
  }
  const { rowsForKeys } = require("../../handlers/shared/images-table") as typeof import("../../handlers/shared/images-table");
  const { collectFiles } = require("../../local/files") as typeof import("../../local/files");
  const { createProgress, progressMode } = require("../batch/progress") as typeof import("../batch/progress");
  const { deadLetterQueueUrl } = require("../batch/report") as typeof import("../batch/report");
  const { runReprocess } = require("../batch/reprocess") as typeof import("../batch/reprocess");
  const { printRunReport, withBatchSession } = require("../batch/session") as typeof import("../batch/session");
  return withBatchSession(options, async (session) => {
    const { target, store, db, signal, log } = session;
    if (options.list) {
      for (const run of await store.list("reprocess")) {
        process.stdout.write(`${run.id}  ${run.status.padEnd(11)}  ${run.enqueued}/${run.total ?? "?"}  ${JSON.stringify(run.params)}\n`);
      }
      return EXIT_OK;
    }
    let selection: ReprocessSelection;
    if (target.pipeline) {
      const pipeline = target.pipeline;
      const samples = collectFiles([join(REPO_ROOT, "samples")], "uploads/");
      log(`uploading ${samples.length} sample image(s) with notifications off...`);
      for (const sample of samples) await pipeline.upload({ key: sample.key, body: await readFile(sample.path) });
      selection = { bucket: pipeline.buckets.raw, queueUrl: pipeline.queue.url, region: pipeline.region };
    } else {
      selection = { bucket: options.bucket ?? "", queueUrl: options.queueUrl ?? "", region: target.region, includeProcessed: options.includeProcessed };
    }
    if (options.prefix) selection.prefix = options.prefix;
    if (options.since) selection.since = options.since;
    if (options.keys) selection.keysFile = options.keys;

    const progress = createProgress("reprocess", progressMode({ json: options.json, isTTY: process.stderr.isTTY === true }));
    const outcome = await runReprocess(
      selection,
      { s3: target.s3, sqs: target.sqs, store, progress, signal, log, lookupRows: (bucket, keys) => rowsForKeys(db, bucket, keys) },
      { resumeId: options.resume, fresh: options.new },
    );
    const report = await printRunReport(session, outcome.run, outcome.status === "completed", {
      dlqUrl: options.dlqUrl ?? target.pipeline?.dlq.url ?? (await deadLetterQueueUrl(target.sqs, selection.queueUrl).catch(() => undefined)),
      waitSeconds: options.wait ?? (target.pipeline ? 120 : 0),
      json: options.json,
      extra: { resumed: outcome.resumed, sentThisRun: outcome.enqueuedThisRun },
    });
    if (outcome.status === "interrupted") {
      log(`interrupted: resume with \`pipectl reprocess --resume ${outcome.run.id}\` (or rerun the same command)`);
      return EXIT_INTERRUPTED;
    }
    return report.notEnqueued.length > 0 ? EXIT_FAILED : EXIT_OK;
  });
}
