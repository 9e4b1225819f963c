// `pipectl dlq redrive`: move dead letters back to the source queue in
// batches, never deleting one before its send succeeded; checkpointed like a
// reprocess run, with progress and the same per-reason report.
import { Command, Option } from "commander";
import { createProgress, progressMode } from "../../local/batch/progress";
import { queueDepth, runRedrive } from "../../local/batch/redrive";
import { buildRunReport, deadLetterQueueUrl, formatRunReport, waitForRunToSettle } from "../../local/batch/report";
import { RunStore } from "../../local/batch/run-store";
import { connect, openTarget, quietLocalHandler, type TargetOptions } from "../../local/batch/targets";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { seconds } from "./reprocess";

interface RedriveOptions extends TargetOptions {
  queueUrl?: string;
  dlqUrl?: string;
  max?: string;
  resume?: string;
  wait?: number;
  json?: boolean;
}

export function register(program: Command): void {
  const dlq = program.command("dlq").description("Inspect and redrive the dead-letter queue");
  dlq
    .command("redrive")
    .description("Move dead letters back to the source queue: batched, checkpointed, with progress and a per-reason report")
    .option("--local", "run against a freshly started local pipeline")
    .option("--queue-url <url>", "the source queue the dead letters go back to")
    .option("--dlq-url <url>", "the dead-letter queue (default: from the source queue's RedrivePolicy)")
    .option("--region <region>", "AWS region (default credential chain)")
    .option("--sqs-endpoint <url>", "SQS endpoint of a running local pipeline")
    .option("--database-url <url>", "PostgreSQL holding the images table and the run checkpoints (default DATABASE_URL)")
    .option("--max <n>", "move at most this many (default: the DLQ depth at the start)")
    .option("--resume <runId>", "resume this redrive run")
    .addOption(new Option("--wait <seconds>", "wait up to this long for rows before reporting").argParser(seconds))
    .option("--json", "progress as JSON lines on stderr, the report as JSON on stdout")
    .action(async (options: RedriveOptions) => {
      process.exitCode = await redriveCommand(options);
    });
}

async function redriveCommand(options: RedriveOptions): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (!options.local && !options.queueUrl) throw new Error("name the source queue with --queue-url (and --dlq-url unless its RedrivePolicy names it), or use --local");
  const max = options.max === undefined ? undefined : wholeNumberAbove0(options.max, "--max");
  if (options.local) quietLocalHandler();
  const target = await openTarget(options, log);
  const abort = new AbortController();
  const onSigint = () => {
    log("interrupting after the batch in flight...");
    abort.abort();
  };
  process.once("SIGINT", onSigint);
  let store: RunStore | undefined;
  const db = await connect(target.databaseUrl);
  try {
    store = await RunStore.open(target.databaseUrl);
    const queueUrl = target.pipeline?.queue.url ?? options.queueUrl ?? "";
    const dlqUrl = options.dlqUrl ?? target.pipeline?.dlq.url ?? (await deadLetterQueueUrl(target.sqs, queueUrl));
    if (!dlqUrl) throw new Error(`${queueUrl} has no RedrivePolicy naming a dead-letter queue; pass --dlq-url`);
    log(`dead letters waiting: ${(await queueDepth(target.sqs, dlqUrl)).visible}`);
    const progress = createProgress("redrive", progressMode({ json: options.json, isTTY: process.stderr.isTTY === true }));
    const outcome = await runRedrive(
      { dlqUrl, queueUrl, ...(max !== undefined ? { maxMessages: max } : {}) },
      { sqs: target.sqs, store, progress, signal: abort.signal, log },
      { resumeId: options.resume },
    );
    const reportDeps = { store, db, sqs: target.sqs, dlqUrl };
    const waitSeconds = options.wait ?? 0;
    const report = waitSeconds > 0 && outcome.status === "completed" ? await waitForRunToSettle(outcome.run, reportDeps, waitSeconds * 1000) : await buildRunReport(outcome.run, reportDeps);
    if (options.json) process.stdout.write(`${JSON.stringify({ ...report, movedThisRun: outcome.movedThisRun })}\n`);
    else process.stdout.write(`${formatRunReport(report)}\n`);
    if (outcome.status === "interrupted") {
      log(`interrupted: resume with \`pipectl dlq redrive --resume ${outcome.run.id}\``);
      return 130;
    }
    return outcome.notMovedThisRun > 0 ? 1 : 0;
  } finally {
    process.off("SIGINT", onSigint);
    await store?.close();
    await db.end();
    await target.close();
  }
}
