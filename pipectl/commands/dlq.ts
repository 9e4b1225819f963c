// `pipectl dlq redrive`: move dead letters back to the source queue in
// batches, never deleting one before its send succeeded; checkpointed like a
// reprocess run, with progress and the same per-reason report.
import { Option, type Command } from "commander";
import { secondsAtLeast0, wholeNumberAbove0 } from "../../cli/arguments";
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError } from "../../cli/exit-codes";
import type { TargetOptions } from "../batch/targets";
import { targetOptions } from "./reprocess";

interface RedriveOptions extends TargetOptions {
  queueUrl?: string;
  dlqUrl?: string;
  max?: number;
  resume?: string;
  wait?: number;
  json?: boolean;
}

export function register(program: Command): void {
  const dlq = program.command("dlq").description("Inspect and redrive the dead-letter queue");
  const redrive = dlq
    .command("redrive")
    .description("Move dead letters back to the source queue: batched, checkpointed, with progress and a per-reason report");
  for (const option of targetOptions()) redrive.addOption(option);
  redrive
    .option("--queue-url <url>", "the source queue the dead letters go back to")
    .option("--dlq-url <url>", "the dead-letter queue (default: from the source queue's RedrivePolicy)")
    .addOption(new Option("--max <n>", "move at most this many (default: the DLQ depth at the start)").argParser(wholeNumberAbove0))
    .option("--resume <runId>", "resume this redrive run")
    .addOption(new Option("--wait <seconds>", "wait up to this long for rows before reporting").argParser(secondsAtLeast0).default(0))
    .option("--json", "progress as JSON lines on stderr, the report as JSON on stdout")
    .action(async (options: RedriveOptions) => {
      process.exitCode = await redriveCommand(options);
    });
}

async function redriveCommand(options: RedriveOptions): Promise<number> {
  if (!options.local && !options.queueUrl)
    throw new UsageError("name the source queue with --queue-url (and --dlq-url unless its RedrivePolicy names it), or use --local");
  const { createProgress, progressMode } = require("../batch/progress") as typeof import("../batch/progress");
  const { queueDepth, runRedrive } = require("../batch/redrive") as typeof import("../batch/redrive");
  const { deadLetterQueueUrl } = require("../batch/report") as typeof import("../batch/report");
  const { printRunReport, withBatchSession } = require("../batch/session") as typeof import("../batch/session");
  return withBatchSession(options, async (session) => {
    const { target, store, signal, log } = session;
    const queueUrl = target.pipeline?.queue.url ?? options.queueUrl ?? "";
    const dlqUrl = options.dlqUrl ?? target.pipeline?.dlq.url ?? (await deadLetterQueueUrl(target.sqs, queueUrl));
    if (!dlqUrl) throw new UsageError(`${queueUrl} has no RedrivePolicy naming a dead-letter queue; pass --dlq-url`);
    log(`dead letters waiting: ${(await queueDepth(target.sqs, dlqUrl)).visible}`);
    const progress = createProgress("redrive", progressMode({ json: options.json, isTTY: process.stderr.isTTY === true }));
    const outcome = await runRedrive(
      { dlqUrl, queueUrl, ...(options.max !== undefined ? { maxMessages: options.max } : {}) },
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
      return EXIT_INTERRUPTED;
    }
    return outcome.notMovedThisRun > 0 ? EXIT_FAILED : EXIT_OK;
  });
}
