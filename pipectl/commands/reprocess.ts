// `pipectl reprocess`: send raw objects through the pipeline again, page by
// page, as SQS batches of S3 event notifications; checkpointed in PostgreSQL
// so an interrupted run resumes, safe to start twice, with a progress bar and
// a per-reason report at the end.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { rowsForKeys } from "../../handlers/shared/images-table";
import { collectFiles } from "../../local/files";
import { createProgress, progressMode } from "../batch/progress";
import { deadLetterQueueUrl } from "../batch/report";
import { runReprocess, type ReprocessSelection } from "../batch/reprocess";
import { printRunReport, withBatchSession } from "../batch/session";
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

export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a number of seconds`);
  return n;
}

export function register(program: Command): void {
  program
    .command("reprocess")
    .description("Send raw objects through the pipeline again: resumable, safe to rerun, with progress and a per-reason report")
    .option("--local", "run against a freshly started local pipeline holding the sample images")
    .option("--bucket <name>", "raw bucket (deployed stack or running local pipeline)")
    .option("--queue-url <url>", "the raw-events queue")
    .option("--dlq-url <url>", "its dead-letter queue (default: from the queue's RedrivePolicy)")
    .option("--region <region>", "AWS region (default credential chain)")
    .option("--s3-endpoint <url>", "S3 endpoint of a running local pipeline")
    .option("--sqs-endpoint <url>", "SQS endpoint of a running local pipeline")
    .option("--database-url <url>", "PostgreSQL holding the images table and the run checkpoints (default DATABASE_URL)")
    .option("--prefix <prefix>", "only keys under this prefix")
    .option("--since <iso>", "only objects modified at or after this instant (ISO 8601)")
    .option("--keys <file>", "exact keys, one per line")
    .option("--resume <runId>", "resume this run (default: the unfinished run with the same parameters, if any)")
    .option("--new", "start a new run even if an unfinished one has the same parameters")
    .option("--include-processed", "also send objects whose current row exists (the handler makes them no-ops)")
    .addOption(new Option("--wait <seconds>", "wait up to this long for rows before reporting").argParser(seconds))
    .option("--json", "progress as JSON lines on stderr, the report as JSON on stdout")
    .option("--list", "list recent runs and exit")
    .action(async (options: ReprocessOptions) => {
      process.exitCode = await reprocessCommand(options);
    });
}

async function reprocessCommand(options: ReprocessOptions): Promise<number> {
  if (!options.local && !options.list && (!options.bucket || !options.queueUrl)) {
    throw new Error("name the target: --bucket and --queue-url (with --region, or --s3-endpoint/--sqs-endpoint), or --local");
  }
  return withBatchSession(options, async (session) => {
    const { target, store, db, signal, log } = session;
    if (options.list) {
      for (const run of await store.list("reprocess")) {
        process.stdout.write(`${run.id}  ${run.status.padEnd(11)}  ${run.enqueued}/${run.total ?? "?"}  ${JSON.stringify(run.params)}\n`);
      }
      return 0;
    }
    let selection: ReprocessSelection;
    if (target.pipeline) {
      const pipeline = target.pipeline;
      const samples = collectFiles([join(__dirname, "..", "..", "samples")], "uploads/");
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
      return 130;
    }
    return report.notEnqueued.length > 0 ? 1 : 0;
  });
}
