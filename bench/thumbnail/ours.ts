// Our path as Lambda runs it. The bench's handler (handler.ts) is bundled
// into a task root of its own beside the thumbnails function's shipped
// node_modules (sharp for this machine's architecture) and exec wrapper, both
// copied from dist/thumbnails, and started by the one launcher
// (local/lambda-launcher.ts): Node 22 through the bootstrap stand-in, at the
// function's memory, with its environment and nothing of this shell's. Each
// measured render gets a fresh container, so its VmHWM is that render's peak;
// the drift is one container over many invocations.
import { cpSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";
import { REPO_ROOT } from "../../cli/repo-root";
import { EXEC_WRAPPER_FILE, type FunctionName } from "../../contracts";
import { MANIFEST_PATH } from "../../handlers/build-manifest";
import type { ThumbnailSpec } from "../../handlers/thumbnails/image";
import { DEFAULT_FUNCTIONS } from "../../infra/config";
import { hostArchitecture, launchLambda, type LambdaContainer } from "../../local/lambda-launcher";
import { LOCAL_DEFAULTS } from "../../local/pipeline";
import { residentMiB } from "../../local/proc-status";
import { thumbnailsEnvironmentFor } from "../../local/runtime-env";
import { ensureFreshBuild } from "../../toolchain/build/ensure";
import { SHIPPED_NATIVE_PACKAGES } from "../../toolchain/build/native-packages";
import { ensureLambdaNode } from "../../toolchain/lambda-node";
import { MissingFigureError } from "../load/measure";
import type { BenchEvent, DriftAnswer, DriftSample, ProcessRuntime, RenderAnswer, RenderEvent } from "./handler";
import { driftSamplePoints, type DriftResult } from "./report";

/** The function whose memory, timeout, environment, node_modules and exec wrapper ours gets. */
const FUNCTION: FunctionName = "thumbnails";

/** "function": as deployed (RUNTIME_ENV through the exec wrapper); "node-defaults": neither, as bench:load compares. */
export type OursVariant = "function" | "node-defaults";

/** Everything a container of ours starts from. */
export interface OursLaunch {
  taskRoot: string;
  nodeBinary: string;
  memoryMb: number;
  environment: Readonly<Record<string, string>>;
}

export interface MeasuredRender extends RenderAnswer {
  /** VmHWM of the container's process after the invocation. */
  peakRssMb: number;
  pid: number;
}

/** Node 22, Lambda's version: LAMBDA_NODE when set (.ci/run), else the node-linux-<arch> package, installed into the build cache once. */
export function lambdaNodeBinary(log: (line: string) => void): string {
  return resolve(process.env.LAMBDA_NODE ?? ensureLambdaNode(REPO_ROOT, hostArchitecture(), log));
}

/**
 * Writes the task root into `dir`: the bundled handler as index.js (what
 * _HANDLER index.handler loads), and the thumbnails function's node_modules
 * and exec wrapper from a dist/ made current for this machine first.
 */
export async function prepareTaskRoot(dir: string): Promise<string> {
  await ensureFreshBuild(REPO_ROOT, { architecture: hostArchitecture() });
  const shipped = join(REPO_ROOT, dirname(MANIFEST_PATH), FUNCTION);
  const taskRoot = join(dir, "task-root");
  // As the build bundles the functions: CommonJS for node22, the shipped native packages left to node_modules.
  await build({
    entryPoints: [join(__dirname, "handler.ts")],
    outfile: join(taskRoot, "index.js"),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    external: SHIPPED_NATIVE_PACKAGES,
    logLevel: "error",
  });
  cpSync(join(shipped, "node_modules"), join(taskRoot, "node_modules"), { recursive: true });
  // Copied with its mode: the bootstrap refuses a wrapper that is not executable.
  cpSync(join(shipped, EXEC_WRAPPER_FILE), join(taskRoot, EXEC_WRAPPER_FILE));
  return taskRoot;
}

/** How ours starts for `variant`: the function's environment object itself, or the same without its process-start settings. */
export function oursLaunch(taskRoot: string, options: { memoryMb: number; variant: OursVariant; nodeBinary: string }): OursLaunch {
  return {
    taskRoot,
    nodeBinary: options.nodeBinary,
    memoryMb: options.memoryMb,
    environment: thumbnailsEnvironmentFor(options.variant === "function" ? "as-deployed" : "bootstrap-defaults"),
  };
}

/** Runs `use` on a new container and stops the container however `use` ends. */
async function withContainer<T>(launch: OursLaunch, use: (container: LambdaContainer) => Promise<T>): Promise<T> {
  const container = await launchLambda(
    {
      name: FUNCTION,
      memoryMb: launch.memoryMb,
      timeoutSeconds: DEFAULT_FUNCTIONS[FUNCTION].timeoutSeconds,
      region: LOCAL_DEFAULTS.region,
      environment: launch.environment,
    },
    { taskRoot: launch.taskRoot, nodeBinary: launch.nodeBinary },
  );
  try {
    return await use(container);
  } finally {
    await container.stop();
  }
}

async function invoke(container: LambdaContainer, event: BenchEvent, what: string): Promise<unknown> {
  const result = await container.invoke(event);
  if (result.kind === "threw") {
    const tail = container.outputTail().trim().split("\n").slice(-3).join(" | ");
    throw new Error(
      `ours: ${what} failed in the container (pid ${container.pid}): ${result.error?.message ?? "no error message"}${tail ? `; output: ${tail}` : ""}`,
    );
  }
  return result.value;
}

/** A number the verdict needs from an answer; anything else fails the run by name. */
function figure(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new MissingFigureError(`ours: ${name} is ${JSON.stringify(value)}, not a number`);
  return value;
}

function runtimeOf(value: unknown, what: string): ProcessRuntime {
  const runtime = (value as { runtime?: Partial<ProcessRuntime> } | undefined)?.runtime;
  if (typeof runtime?.node !== "string" || !Array.isArray(runtime.execArgv) || typeof runtime.execWrapper !== "boolean")
    throw new MissingFigureError(`ours: ${what} answered no runtime (node version, execArgv, exec wrapper)`);
  return { node: runtime.node, execArgv: runtime.execArgv, nodeOptions: runtime.nodeOptions ?? "", execWrapper: runtime.execWrapper };
}

/** One render in a fresh container: its CPU as measured inside, and the process's peak RSS once it has answered. */
export async function renderInFreshContainer(launch: OursLaunch, event: RenderEvent): Promise<MeasuredRender> {
  return withContainer(launch, async (container) => {
    const what = `rendering ${event.input}`;
    const answer = (await invoke(container, event, what)) as Partial<RenderAnswer> | undefined;
    return {
      cpuSeconds: figure(answer?.cpuSeconds, `CPU of ${what}`),
      processCpuSeconds: figure(answer?.processCpuSeconds, `process CPU of ${what}`),
      runtime: runtimeOf(answer, what),
      peakRssMb: residentMiB(container.pid).peak,
      pid: container.pid,
    };
  });
}

/**
 * `count` images in one container, at most one sample interval per
 * invocation (so each stays well within the function's timeout), RSS after a
 * full GC at the end of each; the peak is the process's VmHWM at the end.
 */
export async function driftInOneContainer(
  launch: OursLaunch,
  request: { inputs: string[]; specs: ThumbnailSpec[]; count: number; warmup: number },
): Promise<{ drift: DriftResult; runtime: ProcessRuntime }> {
  return withContainer(launch, async (container) => {
    const samples: DriftSample[] = [];
    let runtime: ProcessRuntime | undefined;
    let from = 1;
    for (const to of driftSamplePoints(request.count, request.warmup)) {
      const what = `drift images ${from}-${to}`;
      const answer = (await invoke(container, { kind: "drift", inputs: request.inputs, specs: request.specs, from, to }, what)) as
        Partial<DriftAnswer> | undefined;
      const sample = answer?.sample;
      samples.push({
        images: figure(sample?.images, `image count after ${what}`),
        rssMb: figure(sample?.rssMb, `RSS after ${what}`),
        heapMb: figure(sample?.heapMb, `heap after ${what}`),
        externalMb: figure(sample?.externalMb, `external memory after ${what}`),
      });
      runtime = runtimeOf(answer, what);
      from = to + 1;
    }
    if (runtime === undefined) throw new MissingFigureError(`ours: a drift over ${request.count} images took no sample`);
    return { drift: { count: request.count, warmup: request.warmup, samples, peakMb: residentMiB(container.pid).peak }, runtime };
  });
}
