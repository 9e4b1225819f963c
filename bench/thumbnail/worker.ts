// The benchmark's child process for our path. Bundled by esbuild before the
// run (as the Lambda is), so no TypeScript loader runs inside the measurement.
//   worker render <input> <outDir> <specs JSON> [warm-up input]
//     one image, outputs written; the CPU spent reading, rendering and writing
//     it goes to <outDir>/cpu.json. Start-up, and first-use set-up after one
//     render of the tiny warm-up input, are excluded: the same start-up-and-tiny-
//     image cost the C tools have subtracted from theirs.
//   worker drift <count> <warmup> <specs JSON> <input>...   RSS over many images
import { readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FILE_EXTENSIONS, renderThumbnails, DEFAULT_LIMITS, type ThumbnailSpec } from "../../handlers/thumbnails/image";
import { CPU_REPORT_FILE } from "./report";

declare const gc: (() => void) | undefined;

const MB = 1024 * 1024;

async function render(input: string, outDir: string, specs: ThumbnailSpec[], warmup: string | undefined): Promise<void> {
  if (warmup) await renderThumbnails(readFileSync(warmup), specs, DEFAULT_LIMITS);
  const started = process.cpuUsage();
  const outcome = await renderThumbnails(readFileSync(input), specs, DEFAULT_LIMITS);
  if (!outcome.ok) throw new Error(`${input} was rejected: ${outcome.reason} (${outcome.detail})`);
  const stem = basename(input, extname(input));
  for (const output of outcome.outputs) writeFileSync(join(outDir, `${stem}.${output.name}.${FILE_EXTENSIONS[output.format]}`), output.data);
  const used = process.cpuUsage(started);
  writeFileSync(join(outDir, CPU_REPORT_FILE), JSON.stringify({ cpuSeconds: (used.user + used.system) / 1e6 }));
}

/** Memory after a full GC, so JS garbage waiting for collection is not counted as drift. */
function settledSample(images: number): { images: number; rssMb: number; heapMb: number; externalMb: number } {
  if (typeof gc === "function") gc();
  const usage = process.memoryUsage();
  return { images, rssMb: usage.rss / MB, heapMb: usage.heapTotal / MB, externalMb: usage.external / MB };
}

async function drift(count: number, warmup: number, specs: ThumbnailSpec[], inputs: string[]): Promise<void> {
  // Inputs are read once: the drift is about the image path, not the page cache.
  const buffers = inputs.map((input) => readFileSync(input));
  const samples: ReturnType<typeof settledSample>[] = [];
  let peakMb = 0;
  for (let i = 1; i <= count; i++) {
    const outcome = await renderThumbnails(buffers[i % buffers.length], specs, DEFAULT_LIMITS);
    if (!outcome.ok) throw new Error(`${inputs[i % buffers.length]} was rejected: ${outcome.reason}`);
    peakMb = Math.max(peakMb, process.memoryUsage.rss() / MB);
    if (i % 100 === 0 || i === warmup) samples.push(settledSample(i));
  }
  if (samples[samples.length - 1]?.images !== count) samples.push(settledSample(count));
  process.stdout.write(`${JSON.stringify({ count, warmup, samples, peakMb })}\n`);
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "render" && (args.length === 3 || args.length === 4)) return render(args[0], args[1], JSON.parse(args[2]) as ThumbnailSpec[], args[3]);
  if (mode === "drift" && args.length >= 4) return drift(Number(args[0]), Number(args[1]), JSON.parse(args[2]) as ThumbnailSpec[], args.slice(3));
  throw new Error("usage: worker render <input> <outDir> <specs> [warm-up input] | worker drift <count> <warmup> <specs> <input>...");
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
