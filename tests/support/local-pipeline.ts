// Shared set-up for the local-pipeline suites: a pipeline on the shared test
// PostgreSQL (a fresh database each), tiny generated images, quiet handler logs.
import sharp from "sharp";
import { freshDatabase } from "./postgres";
import { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from "../../local/pipeline";
import { RunStore } from "../../pipectl/batch/run-store";

export async function testPipeline(prefix: string, options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const databaseUrl = await freshDatabase(prefix);
  // The handler's logger and metrics read these whenever they are built, so they
  // stay set while this pipeline runs and are restored when it stops: the
  // suites that run after this one must see their own environment.
  const saved = { log: process.env.POWERTOOLS_LOG_LEVEL, metrics: process.env.POWERTOOLS_METRICS_DISABLED };
  const restoreAll = () => {
    restore("POWERTOOLS_LOG_LEVEL", saved.log);
    restore("POWERTOOLS_METRICS_DISABLED", saved.metrics);
  };
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  try {
    const pipeline = await startLocalPipeline({
      databaseUrl,
      concurrency: 2,
      functionTimeoutSeconds: 10,
      ...options,
      // The function's containers have only their own environment: the same quiet logs there.
      functionEnv: { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true", ...options.functionEnv },
    });
    const stop = pipeline.stop;
    return { ...pipeline, stop: () => stop().finally(restoreAll) };
  } catch (error) {
    restoreAll();
    throw error;
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** A small JPEG, different per seed, so every object has its own ETag. */
export function tinyJpeg(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 48 + (seed % 7), height: 32, channels: 3, background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: 128 } } })
    .jpeg({ quality: 70 })
    .toBuffer();
}

export async function uploadTiny(pipeline: LocalPipeline, keys: readonly string[]): Promise<void> {
  for (const [i, key] of keys.entries()) await pipeline.upload({ key, body: await tinyJpeg(i) });
}

export async function withStore<T>(pipeline: LocalPipeline, work: (store: RunStore) => Promise<T>): Promise<T> {
  const store = await RunStore.open(pipeline.databaseUrl);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
