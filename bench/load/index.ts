// `npm run bench:load -- [--images N] [--json]`: the 5x day as a benchmark.
// Pushes generated photo-like images (and a few hostile files) through the
// local pipeline, the handler in a process of its own as in a Lambda
// container, and reports per run: processed, failed by reason, duplicate
// rows and thumbnail sets (must be 0), lost uploads (must be 0), peak
// database connections against the budget, the handler's RSS over time and
// its drift after warm-up (judged on samples taken between invocations right
// after a full GC, so garbage V8 has not collected yet does not pass for a
// leak), throughput, the queue's peak depth (the burst it absorbed), and the
// handler's CPU per image. Some notifications are delivered twice on
// purpose, as SQS may, to show duplicates stay at 0.
// The containers are the function's bundle started as Lambda's nodejs22.x
// bootstrap starts it, at the deployed memory (--memory to change it). Each
// run is done again on the bootstrap's and glibc's defaults (no RUNTIME_ENV,
// no exec wrapper) and printed beside it (--no-compare-runtime-env skips it).
// A figure the verdict needs that cannot be computed fails the run by name.
//
// The normal batch is 200 images (the story's "usual hundreds"); without
// --images the bench runs it, 5x (1,000) and 10x (2,000) in one pipeline
// (one more for the comparison).
import { randomBytes } from "node:crypto";
import { GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { Option } from "commander";
import { cliProgram, EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitAfterOutput } from "../../cli/exit-codes";
import { Pool } from "pg";
import { DEFAULT_FUNCTIONS } from "../../infra/config";
import { countStatuses, duplicateRows, type StoredImageRow } from "../../handlers/shared/images-table";
import { hostilePool, photoPool, type BenchImage } from "./images";
import type { MemorySampleOf } from "../../local/lambda-containers";
import { mb, MissingFigureError, rssDrift, rssTimeline, throughput } from "./measure";
import { containerStart, describeStart, startProblemsOf, type ContainerStart } from "./container-start";
import { startLocalPipeline, type LocalPipeline, type ProcessStart } from "../../local/pipeline";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { objectsInBody } from "../../local/s3-event";

const NORMAL_BATCH = 200;
const HOSTILE_EVERY = 50;
const REDELIVER_EVERY = 20;
const RSS_DRIFT_LIMIT_MB = 5;
const WARMUP_PASSES = 3;

interface LoadOptions {
  images?: number;
  json?: boolean;
  concurrency: number;
  timeout: number;
  compareRuntimeEnv: boolean;
  memory: number;
  killContainers: number;
}

/** The handler containers' process-start settings for one set of runs. */
interface Variant {
  name: "function" | "node-defaults";
  processStart: ProcessStart;
}

interface RunFigures {
  run: string;
  /** "function": as deployed, RUNTIME_ENV through the exec wrapper (judged against the bars); "node-defaults": for comparison only. */
  variant: Variant["name"];
  /** How the handler containers started, as read from the first one. */
  containers: ContainerStart;
  images: number;
  processed: number;
  ok: number;
  failedByReason: Record<string, number>;
  unexpectedFailures: string[];
  inDlq: number;
  lost: number;
  lostSample: string[];
  redeliveriesInjected: number;
  duplicateRows: number;
  duplicateThumbnailSets: number;
  peakHandlerConnections: number;
  peakTotalConnections: number;
  connectionBudget: number;
  maxConnections: number;
  peakQueueDepth: number;
  /** The handler container with the largest drift; every container's drift beside it. */
  rss: {
    warmedUpAfterImages: number;
    container: number;
    startMb: number;
    endMb: number;
    peakMb: number;
    driftMb: number;
    driftPerContainerMb: number[];
    timeline: { second: number; rssMb: number; heapMb?: number }[];
  };
  seconds: number;
  imagesPerSecond: number;
  /** CPU time (user + system) of all handler containers over the run, per processed image. */
  handlerCpuMsPerImage: number;
  /** Containers started to replace one that died during the pipeline's life. */
  containerReplacements: number;
  /** Process ids SIGKILLed during the run (--kill-containers). */
  killedContainers: number[];
  /** Slots running a live container at the end (must be all of them). */
  slotsRunning: number;
  /** Figures the verdict needs that could not be computed: any makes the run fail, by name. */
  missingFigures: string[];
  /** Ways a "function" container did not start as deployed (a setting or the wrapper missing): any makes the run fail. */
  startProblems: string[];
  pass: boolean;
}

async function main(argv: string[]): Promise<number> {
  const program = cliProgram(
    "npm run bench:load --",
    "Push N images (default: 200, 1,000 and 2,000) through the local pipeline and report losses, duplicates, connections, RSS and throughput",
  )
    .addOption(new Option("--images <n>", "one run of this many images instead of 1x/5x/10x of the normal batch").argParser(wholeNumberAbove0))
    .option("--json", "print the figures as JSON")
    .addOption(new Option("--concurrency <n>", "concurrent invocations (the connection budget)").argParser(wholeNumberAbove0).default(4))
    .addOption(new Option("--timeout <seconds>", "how long one run may take").argParser(wholeNumberAbove0).default(1800))
    .addOption(
      new Option("--memory <mb>", "the function's memory size (the bootstrap derives V8's limits from it)")
        .argParser(wholeNumberAbove0)
        .default(DEFAULT_FUNCTIONS.thumbnails.memoryMb),
    )
    .addOption(
      new Option("--kill-containers <n>", "SIGKILL this many containers once a quarter of the rows are in; they must be replaced and lose nothing")
        .argParser(Number)
        .default(0),
    )
    .option("--no-compare-runtime-env", "skip the second run on the bootstrap's defaults without RUNTIME_ENV and its exec wrapper");
  try {
    program.parse(argv);
  } catch (err) {
    // Commander printed the problem (or the help) already.
    return (err as { exitCode?: number }).exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const opts = program.opts<LoadOptions>();
  const runs = opts.images ? [{ label: `${opts.images}`, images: opts.images }] : [1, 5, 10].map((x) => ({ label: `${x}x`, images: NORMAL_BATCH * x }));
  const say = (line: string) => process.stderr.write(`${line}\n`);

  say("generating inputs...");
  const photos = await photoPool(24);
  const hostile = await hostilePool();
  // Keys unique to this invocation: a reused DATABASE_URL keeps the rows of earlier ones.
  const invocation = randomBytes(3).toString("hex");
  const variants: Variant[] = [{ name: "function", processStart: "as-deployed" }];
  if (opts.compareRuntimeEnv) variants.push({ name: "node-defaults", processStart: "bootstrap-defaults" });

  const figures: RunFigures[] = [];
  for (const variant of variants) {
    say(
      `handler containers ${variant.processStart === "as-deployed" ? "as deployed (RUNTIME_ENV through the exec wrapper)" : "on the bootstrap's and glibc's defaults (no RUNTIME_ENV, no wrapper)"}`,
    );
    const memory: MemorySampleOf[] = [];
    const notified = new Map<string, string>();
    const pipeline = await startLocalPipeline({
      databaseUrl: process.env.DATABASE_URL,
      concurrency: opts.concurrency,
      handlerHost: "lambda",
      processStart: variant.processStart,
      memoryMb: opts.memory,
      onHandlerMemory: (sample) => memory.push(sample),
      onNotification: (body) => {
        for (const ref of objectsInBody(body) ?? []) notified.set(ref.key, body);
      },
      log: say,
    });
    const monitor = new Pool({ connectionString: pipeline.databaseUrl, max: 1, application_name: "load-bench-monitor" });
    try {
      const maxConnections = Number((await monitor.query<{ max_connections: string }>("SHOW max_connections")).rows[0].max_connections);
      for (const run of runs) {
        say(`run ${run.label}: ${run.images} images...`);
        const prefix = `bench/${invocation}/${variant.name}/${run.label}/`;
        figures.push(
          await loadRun(pipeline, monitor, { ...run, prefix }, variant, {
            photos,
            hostile,
            memory,
            notified,
            maxConnections,
            timeoutMs: opts.timeout * 1000,
            say,
            killContainers: opts.killContainers,
          }),
        );
      }
    } finally {
      await monitor.end();
      await pipeline.stop();
    }
  }
  const comparison = opts.compareRuntimeEnv ? compareVariants(figures) : undefined;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ normalBatch: NORMAL_BATCH, concurrency: opts.concurrency, memoryMb: opts.memory, runs: figures, ...(comparison ? { comparison } : {}) }, null, 2)}\n`,
    );
  } else process.stdout.write(`${formatFigures(figures, comparison)}\n`);
  // Only the function's own settings are judged; the defaults run is there to compare against.
  return figures.filter((f) => f.variant === "function").every((f) => f.pass) ? EXIT_OK : EXIT_FAILED;
}

interface Comparison {
  run: string;
  /** node-defaults / function: above 1 means the function's settings use less. */
  handlerCpuRatio: number;
  worstDriftMb: { function: number; nodeDefaults: number };
  peakRssMb: { function: number; nodeDefaults: number };
}

/** Pairs each run with its node-defaults twin: the figures RUNTIME_ENV is justified by. */
function compareVariants(figures: readonly RunFigures[]): Comparison[] {
  return figures
    .filter((f) => f.variant === "function")
    .flatMap((ours) => {
      const plain = figures.find((f) => f.variant === "node-defaults" && f.run === ours.run);
      if (!plain) return [];
      return [
        {
          run: ours.run,
          handlerCpuRatio: Math.round((plain.handlerCpuMsPerImage / ours.handlerCpuMsPerImage) * 100) / 100,
          worstDriftMb: { function: ours.rss.driftMb, nodeDefaults: plain.rss.driftMb },
          peakRssMb: { function: ours.rss.peakMb, nodeDefaults: plain.rss.peakMb },
        },
      ];
    });
}

interface RunContext {
  photos: BenchImage[];
  hostile: BenchImage[];
  memory: MemorySampleOf[];
  notified: Map<string, string>;
  maxConnections: number;
  timeoutMs: number;
  say: (line: string) => void;
  /** Containers to SIGKILL during the run. */
  killContainers: number;
}

async function loadRun(
  pipeline: LocalPipeline,
  monitor: Pool,
  run: { label: string; images: number; prefix: string },
  variant: Variant,
  ctx: RunContext,
): Promise<RunFigures> {
  const prefix = run.prefix;
  const inputs = Array.from({ length: run.images }, (_, i) => {
    const hostile = i % HOSTILE_EVERY === HOSTILE_EVERY - 1;
    const image = hostile ? ctx.hostile[Math.floor(i / HOSTILE_EVERY) % ctx.hostile.length] : ctx.photos[i % ctx.photos.length];
    return { key: `${prefix}${String(i).padStart(5, "0")}-${image.name}`, image };
  });
  const keys = inputs.map((input) => input.key);

  // What the containers really got, not what the variant meant: every "function" container must start as deployed.
  const starts = pipeline.handlerPids.map((pid) => ({ pid, start: containerStart(pid) }));
  const start = starts[0]?.start ?? { nodeFlags: [], startSettings: {} };
  const startProblems =
    variant.name === "function" ? starts.flatMap(({ pid, start: s }) => startProblemsOf(s).map((problem) => `container ${pid}: ${problem}`)) : [];
  if (starts.length === 0) startProblems.push("no handler container was running at the start of the run");
  const peaks = { handler: 0, total: 0, queue: 0 };
  const sampling = startSampling(pipeline, monitor, peaks);
  const startedAt = Date.now();
  try {
    // A burst: uploads as fast as eight writers go; the queue absorbs what the handler cannot take yet.
    await inParallel(inputs, 8, (input) =>
      pipeline.upload({ key: input.key, body: input.image.body, correlationId: `bench-${input.key}` }).then(() => undefined),
    );
    const redelivered = await injectRedeliveries(pipeline, keys, ctx.notified);
    ctx.say(`  uploaded in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; ${redelivered} notifications delivered twice`);
    const killed = ctx.killContainers > 0 ? await killContainersMidRun(pipeline, monitor, keys, ctx.killContainers, ctx.say) : [];
    const waited = await pipeline.waitForRows(keys, { timeoutMs: ctx.timeoutMs, pollMs: 1000 });
    // Every slot must run a live container that is not one of those killed.
    const slotsRunning = pipeline.handlerPids.filter((pid) => !killed.includes(pid) && processAlive(pid)).length;
    // Let the redelivered copies be consumed too, so any duplicate they could cause is counted.
    await queueDrained(pipeline, 120_000);
    const rows = [...waited.rows.values()];
    const endedAt = Math.max(...rows.map((r) => r.createdAt.getTime()), startedAt);
    const counts = countStatuses(keys, rows);
    const expected = new Map(inputs.map((i) => [i.key, i.image.expectedFailure]));
    const unexpectedFailures = rows
      .filter((r) => (r.status === "failed" ? r.failureReason : undefined) !== expected.get(r.rawKey))
      .map((r) => `${r.rawKey}: ${r.status}${r.status === "failed" ? ` ${r.failureReason}` : ""} (expected ${expected.get(r.rawKey) ?? "ok"})`);
    const dupRows = (await duplicateRows(monitor, pipeline.buckets.raw)).filter((d) => d.rawKey.startsWith(prefix));
    const duplicateThumbnailSets = await countDuplicateThumbnailSets(pipeline, prefix, rows);

    // Warm-up: until every container has had each distinct input about three
    // times (its malloc arenas and libvips buffers have then met the largest
    // image); growth after that is drift. At most half the run.
    const distinctInputs = ctx.photos.length + ctx.hostile.length;
    const warmIndex = Math.min(Math.floor(rows.length / 2), WARMUP_PASSES * distinctInputs * pipeline.concurrency);
    const warmedUpAt = [...rows].map((r) => r.createdAt.getTime()).sort((a, b) => a - b)[warmIndex] ?? startedAt;
    const window = ctx.memory.filter((s) => s.at >= startedAt && s.at <= endedAt);
    const slots = [...new Set(window.map((s) => s.worker))].sort((a, b) => a - b);
    const missingFigures: string[] = [];
    if (slots.length < pipeline.concurrency) missingFigures.push(`memory samples from ${slots.length} of ${pipeline.concurrency} containers`);
    // Drift per container process (a replacement starts from a cold start, so it is its own series), on the samples taken after a
    // full GC (what the process retains); a slot's figure is its longest-lived process's. The peak over all samples.
    const drifts = slots.flatMap((worker) => {
      const mine = window.filter((s) => s.worker === worker);
      const byPid = [...new Set(mine.map((s) => s.pid))].map((pid) => mine.filter((s) => s.pid === pid && s.settled));
      const longest = byPid.reduce((a, b) => (b.length > a.length ? b : a), []);
      try {
        return [{ worker, ...rssDrift(longest, warmedUpAt), peakRss: Math.max(...mine.map((s) => s.rss)) }];
      } catch (error) {
        if (!(error instanceof MissingFigureError)) throw error;
        missingFigures.push(`container ${worker}'s RSS drift: ${error.message} (run more images)`);
        return [];
      }
    });
    const drift = drifts.reduce(
      (worst, d) => (d.driftBytes > worst.driftBytes ? d : worst),
      drifts[0] ?? { worker: -1, driftBytes: Number.NaN, startRss: Number.NaN, endRss: Number.NaN, peakRss: Number.NaN, samples: 0 },
    );
    // CPU per container process: last minus first reading of each.
    const cpuMicros = [...new Set(window.map((s) => s.pid))].reduce((sum, pid) => {
      const mine = window.filter((s) => s.pid === pid);
      return sum + (mine.length > 1 ? (mine[mine.length - 1] as MemorySampleOf).cpuMicros - (mine[0] as MemorySampleOf).cpuMicros : 0);
    }, 0);
    const figures: RunFigures = {
      run: run.label,
      variant: variant.name,
      containers: start,
      images: run.images,
      processed: rows.length,
      ok: counts.ok,
      failedByReason: counts.failedByReason,
      unexpectedFailures,
      inDlq: waited.inDlq.length,
      lost: waited.missing.length,
      lostSample: waited.missing.slice(0, 5),
      redeliveriesInjected: redelivered,
      duplicateRows: dupRows.reduce((n, d) => n + d.rows - 1, 0),
      duplicateThumbnailSets,
      peakHandlerConnections: peaks.handler,
      peakTotalConnections: peaks.total,
      connectionBudget: pipeline.connectionBudget,
      maxConnections: ctx.maxConnections,
      peakQueueDepth: peaks.queue,
      rss: {
        warmedUpAfterImages: warmIndex,
        container: drift.worker,
        startMb: mb(drift.startRss),
        endMb: mb(drift.endRss),
        peakMb: mb(drift.peakRss),
        driftMb: mb(drift.driftBytes),
        driftPerContainerMb: drifts.map((d) => mb(d.driftBytes)),
        timeline: rssTimeline(
          window.filter((s) => s.worker === drift.worker && s.settled),
          startedAt,
        ),
      },
      seconds: Math.round((endedAt - startedAt) / 100) / 10,
      imagesPerSecond: Math.round(throughput(rows.length, startedAt, endedAt) * 10) / 10,
      handlerCpuMsPerImage: rows.length > 0 ? Math.round(cpuMicros / rows.length / 100) / 10 : 0,
      containerReplacements: pipeline.containerReplacements(),
      killedContainers: killed,
      slotsRunning,
      missingFigures,
      startProblems,
      pass: false,
    };
    figures.pass =
      missingFigures.length === 0 &&
      startProblems.length === 0 &&
      slotsRunning === pipeline.concurrency &&
      figures.lost === 0 &&
      figures.duplicateRows === 0 &&
      figures.duplicateThumbnailSets === 0 &&
      figures.peakHandlerConnections <= figures.connectionBudget &&
      figures.rss.driftMb <= RSS_DRIFT_LIMIT_MB;
    for (const missing of missingFigures) ctx.say(`  missing figure: ${missing}`);
    for (const problem of startProblems) ctx.say(`  not started as deployed: ${problem}`);
    ctx.say(
      `  ${figures.processed} rows in ${figures.seconds} s (${figures.imagesPerSecond}/s), lost ${figures.lost}, duplicates ${figures.duplicateRows}, RSS drift ${figures.rss.driftMb} MB`,
    );
    return figures;
  } finally {
    await sampling.stop();
  }
}

/** Once a quarter of the rows are in, SIGKILLs `count` containers (an OOM kill looks the same to the event source); returns their pids. */
async function killContainersMidRun(
  pipeline: LocalPipeline,
  monitor: Pool,
  keys: readonly string[],
  count: number,
  say: (line: string) => void,
): Promise<number[]> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const { rows } = await monitor.query<{ n: string }>("SELECT count(*) AS n FROM images WHERE raw_bucket = $1 AND raw_key = ANY($2)", [
      pipeline.buckets.raw,
      keys,
    ]);
    if (Number(rows[0]?.n ?? 0) >= keys.length / 4) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const victims = pipeline.handlerPids.slice(0, count);
  for (const pid of victims) process.kill(pid, "SIGKILL");
  say(`  SIGKILLed ${victims.length} container(s): ${victims.join(", ")}`);
  return victims;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Samples connections (pg_stat_activity) and queue depth until stopped, keeping the peaks. */
function startSampling(pipeline: LocalPipeline, monitor: Pool, peaks: { handler: number; total: number; queue: number }): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await monitor.query<{ handler: string; total: string }>(
        `SELECT count(*) FILTER (WHERE application_name = $1) AS handler, count(*) AS total
           FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        [pipeline.applicationName],
      );
      peaks.handler = Math.max(peaks.handler, Number(rows[0].handler));
      peaks.total = Math.max(peaks.total, Number(rows[0].total));
      const { Attributes } = await pipeline.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: pipeline.queue.url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      peaks.queue = Math.max(
        peaks.queue,
        Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Sends every REDELIVER_EVERY-th notification a second time, byte for byte, as SQS at-least-once delivery may. */
async function injectRedeliveries(pipeline: LocalPipeline, keys: readonly string[], notified: Map<string, string>): Promise<number> {
  const chosen = keys.filter((_, i) => i % REDELIVER_EVERY === 0);
  const deadline = Date.now() + 30_000;
  while (chosen.some((k) => !notified.has(k)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  let sent = 0;
  for (const key of chosen) {
    const body = notified.get(key);
    if (body === undefined) continue;
    await pipeline.sqs.send(new SendMessageCommand({ QueueUrl: pipeline.queue.url, MessageBody: body }));
    sent++;
  }
  return sent;
}

async function queueDrained(pipeline: LocalPipeline, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Attributes } = await pipeline.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: pipeline.queue.url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
    );
    if (Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Thumbnail keys are `<folder>/<transaction id>/<size>.<ext>`: a set per
 * transaction. A set whose transaction has no row, or more sets than ok
 * rows, means an image was processed twice.
 */
async function countDuplicateThumbnailSets(pipeline: LocalPipeline, prefix: string, rows: readonly StoredImageRow[]): Promise<number> {
  const sets = new Set<string>();
  let token: string | undefined;
  do {
    const page = await pipeline.s3.send(new ListObjectsV2Command({ Bucket: pipeline.buckets.thumbnails, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const parts = (object.Key ?? "").split("/");
      if (parts.length >= 2) sets.add(parts[parts.length - 2]);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const okTransactions = new Set(rows.filter((r) => r.status === "ok").map((r) => r.transactionId));
  return [...sets].filter((t) => !okTransactions.has(t)).length;
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

function formatFigures(figures: readonly RunFigures[], comparison: readonly Comparison[] | undefined): string {
  const lines: string[] = [];
  for (const f of figures) {
    const failed =
      Object.entries(f.failedByReason)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(", ") || "none";
    const verdict = f.variant === "function" ? (f.pass ? "PASS" : "FAIL") : "(for comparison, not judged)";
    lines.push(
      `run ${f.run} (${f.variant}) on ${describeStart(f.containers)}: ${f.images} images -> ${f.processed} processed (${f.ok} ok; failed: ${failed}), ${f.inDlq} in DLQ, ${f.lost} lost ${verdict}`,
      `  duplicates: ${f.duplicateRows} rows, ${f.duplicateThumbnailSets} thumbnail sets (${f.redeliveriesInjected} notifications delivered twice)`,
      `  connections: handler peak ${f.peakHandlerConnections} of budget ${f.connectionBudget}; all sessions peak ${f.peakTotalConnections} of max_connections ${f.maxConnections}`,
      `  queue: peak depth ${f.peakQueueDepth}`,
      `  handler RSS after GC (container ${f.rss.container}, the largest drift): ${f.rss.startMb} -> ${f.rss.endMb} MB after warm-up at ${f.rss.warmedUpAfterImages} images (drift ${f.rss.driftMb} MB, limit ${RSS_DRIFT_LIMIT_MB}), peak ${f.rss.peakMb} MB; drift per container ${f.rss.driftPerContainerMb.join(", ")} MB`,
      `  RSS after GC over time (s: RSS/V8 heap MB): ${f.rss.timeline.map((p) => `${p.second}: ${p.rssMb}/${p.heapMb ?? "?"}`).join(", ")}`,
      `  containers: ${f.slotsRunning} of ${f.connectionBudget} slots running at the end; ${f.killedContainers.length} SIGKILLed during the run (${f.killedContainers.join(", ") || "none"}), ${f.containerReplacements} replaced`,
      `  throughput: ${f.imagesPerSecond} images/s over ${f.seconds} s; handler CPU ${f.handlerCpuMsPerImage} ms per image`,
    );
    if (f.missingFigures.length > 0) lines.push(`  MISSING FIGURES (the run fails on them): ${f.missingFigures.join("; ")}`);
    if (f.startProblems.length > 0) lines.push(`  NOT STARTED AS DEPLOYED (the run fails on it): ${f.startProblems.join("; ")}`);
    if (f.unexpectedFailures.length > 0) lines.push(`  unexpected outcomes: ${f.unexpectedFailures.slice(0, 5).join("; ")}`);
    if (f.lostSample.length > 0) lines.push(`  lost, e.g.: ${f.lostSample.join(", ")}`);
  }
  for (const c of comparison ?? []) {
    lines.push(
      `side by side, run ${c.run}: handler CPU per image node-defaults/function ${c.handlerCpuRatio}; worst drift ${c.worstDriftMb.function} MB (function) vs ${c.worstDriftMb.nodeDefaults} MB (node-defaults); peak RSS ${c.peakRssMb.function} vs ${c.peakRssMb.nodeDefaults} MB`,
    );
  }
  return lines.join("\n");
}

main(process.argv).then(
  (code) => exitAfterOutput(code),
  (error: unknown) => {
    process.stderr.write(`bench:load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    exitAfterOutput(EXIT_USAGE);
  },
);
