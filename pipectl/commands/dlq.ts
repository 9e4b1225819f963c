// `pipectl dlq redrive`: move dead letters back to the source queue in
// batches, never deleting one before its send succeeded; checkpointed like a
// reprocess run, with progress and the same per-reason report.
import { Command, Option } from "commander";
import { createProgress, progressMode } from "../batch/progress";
import { queueDepth, runRedrive } from "../batch/redrive";
import { deadLetterQueueUrl } from "../batch/report";
import { printRunReport, withBatchSession } from "../batch/session";
import type { TargetOptions } from "../batch/targets";
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
  if (!options.local && !options.queueUrl) throw new Error("name the source queue with --queue-url (and --dlq-url unless its RedrivePolicy names it), or use --local");
  const max = options.max === undefined ? undefined : wholeNumberAbove0(options.max, "--max");
  return withBatchSession(options, async (session) => {
    const { target, store, signal, log } = session;
    const queueUrl = target.pipeline?.queue.url ?? options.queueUrl ?? "";
    const dlqUrl = options.dlqUrl ?? target.pipeline?.dlq.url ?? (await deadLetterQueueUrl(target.sqs, queueUrl));
    if (!dlqUrl) throw new Error(`${queueUrl} has no RedrivePolicy naming a dead-letter queue; pass --dlq-url`);
    log(`dead letters waiting: ${(await queueDepth(target.sqs, dlqUrl)).visible}`);
    const progress = createProgress("redrive", progressMode({ json: options.json, isTTY: process.stderr.isTTY === true }));
    const outcome = await runRedrive(
      { dlqUrl, queueUrl, ...(max !== undefined ? { maxMessages: max } : {}) },
      { sqs: target.sqs, store, progress, signal, log },
      { resumeId: options.resume },
    );
    await printRunReport(session, outcome.run, outcome.status === "completed", {
      dlqUrl,
      waitSeconds: options.wait ?? 0,
      json: options.json,
      extra: { movedThisRun: outcome.movedThisRun },
    });
    if (outcome.status === "interrupted") {
      log(`interrupted: resume with \`pipectl dlq redrive --resume ${outcome.run.id}\``);
      return 130;
    }
    return outcome.notMovedThisRun > 0 ? 1 : 0;
  });
}
