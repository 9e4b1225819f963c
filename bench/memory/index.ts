// `npm run bench:memory -- [--memory MB] [--batch N] [--megapixels N] [--json]`:
// one invocation of the thumbnails bundle, started the bootstrap's way at
// the given memory (default 128 MB, Lambda's smallest), on a batch of the
// largest photos the function admits there (its configured batch size, the
// queue's default 5), and the process's peak RSS (VmHWM) against the memory
// size. On Lambda a peak above the memory size is an OOM kill: the batch
// fails and the OOM remediator raises the memory; here it is a FAIL.
import { randomBytes } from "node:crypto";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { Option } from "commander";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { cliProgram, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "../../cli/exit-codes";
import { LOCAL_CREDENTIALS } from "../../local/local-aws";
import { launchLambda } from "../../local/lambda-launcher";
import { residentMiB } from "../../local/proc-status";
import { startLocalPipeline } from "../../local/pipeline";
import { s3EventNotificationBody } from "../../local/s3-event";
import { admittedPixels } from "../../handlers/thumbnails/image";
import { photoLike } from "../load/images";

interface MemoryOptions {
  memory: number;
  batch: number;
  megapixels?: number;
  format: "jpeg" | "webp" | "png";
  json?: boolean;
}

async function main(argv: string[]): Promise<number> {
  const program = cliProgram(
    "npm run bench:memory --",
    "Peak RSS of one thumbnails invocation on a batch of the largest admitted photos, at a Lambda memory size",
  )
    .addOption(new Option("--memory <mb>", "the function's memory size").argParser(wholeNumberAbove0).default(128))
    .addOption(new Option("--batch <n>", "records in the invocation (the queue's batch size)").argParser(wholeNumberAbove0).default(5))
    .addOption(new Option("--megapixels <n>", "photo size; default: the largest the function admits at this memory").argParser(wholeNumberAbove0))
    .addOption(
      new Option("--format <format>", "photo format (JPEG decodes shrunk on load; WebP and PNG decode in full)")
        .choices(["jpeg", "webp", "png"])
        .default("jpeg"),
    )
    .option("--json", "print the figures as JSON");
  try {
    program.parse(argv);
  } catch (err) {
    return (err as { exitCode?: number }).exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const opts = program.opts<MemoryOptions>();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  // The pipeline's own containers are not used: the batch goes to one container of the memory asked, in one invocation.
  const pipeline = await startLocalPipeline({ databaseUrl: process.env.DATABASE_URL, concurrency: 1, notifications: false, log: say });
  try {
    const pixels = opts.megapixels !== undefined ? opts.megapixels * 1_000_000 : admittedPixels(opts.memory, Number(pipeline.functionEnv.MAX_INPUT_PIXELS));
    // 3:2, as most cameras.
    const width = Math.floor(Math.sqrt((pixels * 3) / 2));
    const height = Math.floor(pixels / width);
    say(`generating ${opts.batch} photo-like ${width}x${height} ${opts.format} photos (${((width * height) / 1e6).toFixed(1)} MP)...`);
    const run = randomBytes(3).toString("hex");
    const records = [];
    const keys: string[] = [];
    for (let i = 0; i < opts.batch; i++) {
      const key = `memory/${run}/photo-${i}.${opts.format === "jpeg" ? "jpg" : opts.format}`;
      keys.push(key);
      await pipeline.upload({ key, body: await photoLike(width, height, i, opts.format), contentType: `image/${opts.format}` });
      const head = await pipeline.s3.send(new HeadObjectCommand({ Bucket: pipeline.buckets.raw, Key: key }));
      const body = s3EventNotificationBody(
        { bucket: pipeline.buckets.raw, key, size: head.ContentLength, eTag: head.ETag?.replace(/"/g, "") },
        { region: pipeline.region },
      );
      records.push({
        messageId: `m-${i}`,
        receiptHandle: `r-${i}`,
        body,
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: String(Date.now()),
          SenderId: "bench",
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: pipeline.queue.arn,
        awsRegion: pipeline.region,
      });
    }
    const container = await launchLambda(
      {
        name: "thumbnails",
        memoryMb: opts.memory,
        timeoutSeconds: 300,
        region: pipeline.region,
        environment: { ...pipeline.functionEnv, POWERTOOLS_LOG_LEVEL: "WARN", POWERTOOLS_METRICS_DISABLED: "true" },
      },
      { credentials: LOCAL_CREDENTIALS },
    );
    try {
      const idle = residentMiB(container.pid);
      const started = Date.now();
      const result = await container.invoke({ Records: records });
      const after = container.alive() ? residentMiB(container.pid) : undefined;
      const value = result.value as { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      const failures = result.kind === "threw" ? records.length : (value?.batchItemFailures ?? []).length;
      // What the function wrote: every photo must be an ok row (a rejection would also leave no batch failure).
      const rows = await pipeline.waitForRows(keys, { timeoutMs: 10_000 });
      const okRows = [...rows.rows.values()].filter((row) => row.status === "ok").length;
      const figures = {
        memoryMb: opts.memory,
        batch: opts.batch,
        megapixels: Math.round((width * height) / 1e5) / 10,
        format: opts.format,
        idleRssMiB: Math.round(idle.now * 10) / 10,
        peakRssMiB: after ? Math.round(after.peak * 10) / 10 : null,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        failedRecords: failures,
        okRows,
        ...(result.kind === "threw" ? { error: result.error?.message } : {}),
        pass: false,
      };
      const missing = figures.peakRssMiB === null ? "the container died before its peak RSS was read" : undefined;
      figures.pass = missing === undefined && failures === 0 && okRows === opts.batch && (figures.peakRssMiB ?? Infinity) <= opts.memory;
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...figures, ...(missing ? { missing } : {}) }, null, 2)}\n`);
      else {
        process.stdout.write(
          `${opts.batch} x ${figures.megapixels} MP ${opts.format} in one invocation at ${opts.memory} MB (bootstrap flags): peak RSS ${figures.peakRssMiB ?? "unknown"} MiB of ${opts.memory} (idle ${figures.idleRssMiB}), ${failures} record(s) failed, ${okRows} ok row(s), ${figures.seconds} s ${figures.pass ? "PASS" : "FAIL"}${missing ? ` (${missing})` : ""}${figures.error ? `: ${figures.error}` : ""}\n`,
        );
      }
      return figures.pass ? EXIT_OK : EXIT_FAILED;
    } finally {
      await container.stop();
    }
  } finally {
    await pipeline.stop();
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:memory: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT_USAGE);
  },
);
