// The bench's function for our path: a Lambda handler that renders with the
// thumbnails function's image core. bench/thumbnail/ours.ts bundles it into a
// task root of its own beside the function's shipped node_modules and exec
// wrapper and starts it through the launcher, so it runs on the node, the
// command line, the environment and the sharp binary Lambda gives the
// function. Each answer says which runtime that was.
//   render: renders the warm-up input, then the measured one, writing its
//     outputs; answers the CPU spent reading, rendering and writing it
//     (process.cpuUsage). Start-up, and first-use set-up after one render of
//     the tiny warm-up input, are excluded: the same start-up-and-tiny-image
//     cost the C tools have subtracted from theirs.
//   drift: renders images `from`..`to` of a run over many images (image i is
//     input i mod the number of inputs), then answers RSS after a full GC.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FUNCTION_ENVIRONMENTS } from "../../contracts";
import { FILE_EXTENSIONS, renderThumbnails, DEFAULT_LIMITS, type ThumbnailSpec } from "../../handlers/thumbnails/image";

export interface RenderEvent {
  kind: "render";
  input: string;
  outDir: string;
  specs: ThumbnailSpec[];
  /** Rendered first and not measured, as a warm container has rendered before. */
  warmup: string;
}

export interface DriftEvent {
  kind: "drift";
  inputs: string[];
  specs: ThumbnailSpec[];
  /** First and last image of this invocation, counted from 1 over the whole run. */
  from: number;
  to: number;
}

export type BenchEvent = RenderEvent | DriftEvent;

/** What the process was started with, as it sees itself. */
export interface ProcessRuntime {
  node: string;
  execArgv: string[];
  nodeOptions: string;
  execWrapper: boolean;
}

export interface RenderAnswer {
  /** Reading, rendering and writing the measured input. */
  cpuSeconds: number;
  /** The whole process so far: start-up, warm-up and the measured render. */
  processCpuSeconds: number;
  runtime: ProcessRuntime;
}

export interface DriftSample {
  images: number;
  rssMb: number;
  heapMb: number;
  externalMb: number;
}

export interface DriftAnswer {
  sample: DriftSample;
  runtime: ProcessRuntime;
}

declare const gc: (() => void) | undefined;

const MB = 1024 * 1024;

function runtime(): ProcessRuntime {
  return {
    node: process.version,
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS ?? "",
    execWrapper: Boolean(process.env[FUNCTION_ENVIRONMENTS.thumbnails.execWrapper.name]),
  };
}

const seconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

async function render(event: RenderEvent): Promise<RenderAnswer> {
  await renderThumbnails(readFileSync(event.warmup), event.specs, DEFAULT_LIMITS);
  const started = process.cpuUsage();
  const outcome = await renderThumbnails(readFileSync(event.input), event.specs, DEFAULT_LIMITS);
  if (!outcome.ok) throw new Error(`${event.input} was rejected: ${outcome.reason} (${outcome.detail})`);
  const stem = basename(event.input, extname(event.input));
  for (const output of outcome.outputs) writeFileSync(join(event.outDir, `${stem}.${output.name}.${FILE_EXTENSIONS[output.format]}`), output.data);
  const cpuSeconds = seconds(process.cpuUsage(started));
  return { cpuSeconds, processCpuSeconds: seconds(process.cpuUsage()), runtime: runtime() };
}

/** Memory after a full GC, so JS garbage waiting for collection is not counted as drift. */
function settledSample(images: number): DriftSample {
  // The bootstrap starts node with --expose-gc; without it a sample would count garbage.
  if (typeof gc !== "function") throw new Error("gc() is not exposed: the drift runs under the bootstrap, which starts node with --expose-gc");
  gc();
  const usage = process.memoryUsage();
  return { images, rssMb: usage.rss / MB, heapMb: usage.heapTotal / MB, externalMb: usage.external / MB };
}

// Read once per container and kept across invocations: the drift is about the image path, not the page cache.
let driftInputs: { paths: string[]; buffers: Buffer[] } | undefined;

async function drift(event: DriftEvent): Promise<DriftAnswer> {
  if (event.inputs.length === 0) throw new Error("a drift event needs at least one input");
  if (driftInputs === undefined || driftInputs.paths.join("\n") !== event.inputs.join("\n")) {
    driftInputs = { paths: event.inputs, buffers: event.inputs.map((input) => readFileSync(input)) };
  }
  const { paths, buffers } = driftInputs;
  for (let i = event.from; i <= event.to; i++) {
    const outcome = await renderThumbnails(buffers[i % buffers.length], event.specs, DEFAULT_LIMITS);
    if (!outcome.ok) throw new Error(`${paths[i % buffers.length]} was rejected: ${outcome.reason}`);
  }
  return { sample: settledSample(event.to), runtime: runtime() };
}

export async function handler(event: BenchEvent): Promise<RenderAnswer | DriftAnswer> {
  if (event.kind === "render") return render(event);
  if (event.kind === "drift") return drift(event);
  throw new Error(`unknown bench event kind ${JSON.stringify((event as { kind?: unknown }).kind)}: expected "render" or "drift"`);
}
