// `npm run bench -- [--images DIR] [--json] [--count N] [--drift N] [--memory MB] [--compare-allocator] [--keep]`:
// CPU seconds and peak RSS of making the configured thumbnail sizes with our
// path, ImageMagick's convert and libvips' vipsthumbnail, side by side in one
// run; then peak RSS on a 24 MP JPEG and RSS drift over many images in one
// container. Ours is the thumbnails function's image core in a Lambda handler
// started as Lambda's nodejs22.x runtime starts the function (ours.ts): Node
// 22 through the bootstrap stand-in with the flags it derives from the
// memory, the function's environment, exec wrapper and shipped sharp, and a
// fresh container per measured render. The C tools run under GNU time and
// bash `times` (measure.ts). A benchmark, not a test: it prints figures and
// PASS/MISS against the bars, and the runtime ours ran on; exit 1 when a bar
// is missed or a figure a bar needs is missing (named), 2 when it cannot run.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { Option } from "commander";
import sharp from "sharp";
import { LAMBDA_MEMORY_MB } from "../../contracts";
import { JPEG_QUALITY, buildSpecs, thumbnailConfigFromEnv, type ThumbnailSpec } from "../../handlers/thumbnails/image";
import { DEFAULT_FUNCTIONS } from "../../infra/config";
import { LAMBDA_NODE_VERSION } from "../../toolchain/lambda-node";
import { MissingFigureError } from "../load/measure";
import type { ProcessRuntime } from "./handler";
import { LARGE_PHOTO, generateInputs, inputsFromFolder, startupProbe, type BenchInput } from "./inputs";
import { measureAll } from "./measure";
import { driftInOneContainer, lambdaNodeBinary, oursLaunch, prepareTaskRoot, renderInFreshContainer, type OursLaunch } from "./ours";
import {
  describeRuntime,
  driftOf,
  figuresFor,
  formatReport,
  median,
  summarise,
  type DriftResult,
  type OursRuntime,
  type OutputSize,
  type ToolRun,
} from "./report";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { cliProgram, EXIT_FAILED, EXIT_OK, exitWith, runCli, UsageError } from "../../cli/exit-codes";
import { PACKAGE_FOR, convertTool, findBinary, vipsthumbnailTool, type Tool, type ToolId } from "./tools";

/** Inputs up to this many pixels feed the drift run, so 2,000 images take about a minute. */
const DRIFT_MAX_PIXELS = 4_000_000;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function outputsOf(outDir: string, stem: string, specs: ThumbnailSpec[]): Promise<OutputSize[]> {
  const outputs: OutputSize[] = [];
  for (const spec of specs) {
    const path = join(outDir, `${stem}.${spec.name}.jpg`);
    if (!existsSync(path)) continue;
    const meta = await sharp(path).metadata();
    outputs.push({ name: spec.name, width: meta.width, height: meta.height, bytes: (await stat(path)).size });
  }
  return outputs;
}

async function runTool(bash: string, tool: Tool, input: BenchInput, workDir: string, specs: ThumbnailSpec[], count: number): Promise<ToolRun> {
  const stem = basename(input.path, extname(input.path));
  const cpuSeconds: number[] = [];
  let peakRssMb = 0;
  let outputs: OutputSize[] = [];
  for (let run = 0; run < count; run++) {
    const outDir = join(workDir, `${tool.id}-${run}`);
    await mkdir(outDir, { recursive: true });
    const measured = await measureAll(bash, tool.commands(input.path, outDir, stem));
    cpuSeconds.push(measured.cpuSeconds);
    peakRssMb = Math.max(peakRssMb, measured.peakRssMb);
    if (run === count - 1) outputs = await outputsOf(outDir, stem, specs);
    await rm(outDir, { recursive: true, force: true });
  }
  return { cpuSeconds, peakRssMb, outputs };
}

/** The runtime every container of ours reported: they must all agree, or the figures are not one runtime's. */
class RuntimeSeen {
  private seen: ProcessRuntime | undefined;

  constructor(private readonly what: string) {}

  add(runtime: ProcessRuntime): void {
    if (this.seen === undefined) this.seen = runtime;
    else if (JSON.stringify(this.seen) !== JSON.stringify(runtime))
      throw new Error(`${this.what} ran on two runtimes: ${JSON.stringify(this.seen)} and ${JSON.stringify(runtime)}`);
  }

  get(): ProcessRuntime {
    if (this.seen === undefined) throw new MissingFigureError(`${this.what} reported no runtime`);
    return this.seen;
  }
}

/** `count` renders of `input`, each in a fresh container after the warm-up render of `warmup`. */
async function runOurs(
  launch: OursLaunch,
  input: BenchInput,
  warmup: BenchInput,
  workDir: string,
  specs: ThumbnailSpec[],
  count: number,
  runtimes: RuntimeSeen,
): Promise<ToolRun> {
  const stem = basename(input.path, extname(input.path));
  const cpuSeconds: number[] = [];
  const inProcessCpuSeconds: number[] = [];
  let peakRssMb = 0;
  let outputs: OutputSize[] = [];
  for (let run = 0; run < count; run++) {
    const outDir = join(workDir, `ours-${run}`);
    await mkdir(outDir, { recursive: true });
    const measured = await renderInFreshContainer(launch, { kind: "render", input: input.path, outDir, specs, warmup: warmup.path });
    runtimes.add(measured.runtime);
    cpuSeconds.push(measured.processCpuSeconds);
    inProcessCpuSeconds.push(measured.cpuSeconds);
    peakRssMb = Math.max(peakRssMb, measured.peakRssMb);
    if (run === count - 1) outputs = await outputsOf(outDir, stem, specs);
    await rm(outDir, { recursive: true, force: true });
  }
  return { cpuSeconds, inProcessCpuSeconds, peakRssMb, outputs };
}

interface BenchOptions {
  images?: string;
  json?: boolean;
  count: number;
  drift: number;
  memory: number;
  keep?: boolean;
  compareAllocator?: boolean;
}

async function main(values: BenchOptions): Promise<number> {
  const { count, drift: driftCount, memory: memoryMb } = values;
  if (values.images !== undefined && !existsSync(values.images)) throw new UsageError(`--images ${values.images} does not exist`);
  if (memoryMb < LAMBDA_MEMORY_MB.min || memoryMb > LAMBDA_MEMORY_MB.max)
    throw new UsageError(`--memory ${memoryMb} is outside Lambda's range: give ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max} MB`);

  // Measuring needs bash (its `times`) and GNU time (peak RSS); without them nothing can be measured.
  const bash = findBinary("bash");
  const missingBasics = [bash ? undefined : "bash", existsSync("/usr/bin/time") ? undefined : "/usr/bin/time"].filter((x): x is string => x !== undefined);
  if (!bash || missingBasics.length > 0) {
    throw new UsageError(
      `cannot measure without ${missingBasics.join(" and ")}: install ${missingBasics.map((m) => `"${PACKAGE_FOR[m]}"`).join(" and ")} (apt-get install -y ${missingBasics.map((m) => PACKAGE_FOR[m]).join(" ")})`,
    );
  }

  // The configured sizes (THUMBNAIL_SIZES), as JPEG: the format all three tools write.
  const sizes = [...new Map(thumbnailConfigFromEnv().specs.map((spec) => [spec.name, { name: spec.name, width: spec.width }])).values()];
  const specs = buildSpecs(sizes, ["jpeg"]);
  const notes: string[] = [];

  const workDir = await mkdtemp(join(tmpdir(), "thumbnail-bench-"));
  try {
    const taskRoot = await prepareTaskRoot(workDir);
    const nodeBinary = lambdaNodeBinary(log);
    const launch = oursLaunch(taskRoot, { memoryMb, variant: "function", nodeBinary });
    const runtimes = new RuntimeSeen("ours");
    const probe = await startupProbe(workDir);
    const tools: Tool[] = [];
    for (const [name, make] of [
      ["convert", convertTool],
      ["vipsthumbnail", vipsthumbnailTool],
    ] as const) {
      const binary = findBinary(name);
      if (binary) tools.push(make(binary, specs));
      else {
        const message = `${name} not found on PATH: install the "${PACKAGE_FOR[name]}" package (apt-get install -y ${PACKAGE_FOR[name]}); its column is left out and its bar cannot be judged`;
        log(message);
        notes.push(message);
      }
    }

    const inputs = values.images ? await inputsFromFolder(resolve(values.images), log) : await generateInputs(workDir, log);
    if (inputs.length === 0) throw new UsageError(`no JPEG, PNG or WebP files in ${values.images}`);

    const startupRuns = Math.max(3, count);
    const startup: Partial<Record<ToolId, number>> = {
      ours: median((await runOurs(launch, probe, probe, workDir, specs, startupRuns, runtimes)).cpuSeconds),
    };
    for (const tool of tools) startup[tool.id] = median((await runTool(bash, tool, probe, workDir, specs, startupRuns)).cpuSeconds);
    log(
      `start-up CPU: ${Object.entries(startup)
        .map(([id, s]) => `${id} ${s?.toFixed(3)} s`)
        .join(", ")}`,
    );

    const figures = [];
    for (const input of inputs) {
      const runs: Partial<Record<ToolId, ToolRun>> = { ours: await runOurs(launch, input, probe, workDir, specs, count, runtimes) };
      for (const tool of tools) runs[tool.id] = await runTool(bash, tool, input, workDir, specs, count);
      figures.push(figuresFor(input, runs, startup));
      log(`measured ${input.label}`);
    }

    const small = inputs.filter((input) => input.width * input.height <= DRIFT_MAX_PIXELS);
    const driftInputs = (small.length ? small : inputs).map((input) => input.path);
    // V8 grows its heap to its working size over the first few hundred images
    // (measured: about 4 MB heap and 6 MB external by image 500, flat after);
    // drift is counted from there, so it shows leaks rather than that one-off growth.
    const driftRequest = { inputs: driftInputs, specs, count: driftCount, warmup: Math.max(1, Math.floor(driftCount / 4)) };
    log(`drift: ${driftCount} images in one container over ${(small.length ? small : inputs).map((i) => i.label).join(", ")}`);
    const driftRun = await driftInOneContainer(launch, driftRequest);
    runtimes.add(driftRun.runtime);
    const drift: DriftResult = driftRun.drift;
    if (values.compareAllocator) {
      log("drift again without RUNTIME_ENV and the exec wrapper (the bootstrap's and glibc's defaults), for comparison");
      const plain = await driftInOneContainer(oursLaunch(taskRoot, { memoryMb, variant: "node-defaults", nodeBinary }), driftRequest);
      let plainDrift: string;
      try {
        plainDrift = `${driftOf(plain.drift).toFixed(1)} MB`;
      } catch (error) {
        if (!(error instanceof MissingFigureError)) throw error;
        plainDrift = `missing (${error.message})`;
      }
      notes.push(
        `without RUNTIME_ENV and the exec wrapper (${describeRuntime({ ...plain.runtime, memoryMb })}): RSS drift ${plainDrift} over ${plain.drift.count} images, peak ${plain.drift.peakMb.toFixed(1)} MB`,
      );
    }

    const ours: OursRuntime = { ...runtimes.get(), memoryMb };
    const lambdaMajor = LAMBDA_NODE_VERSION.split(".")[0];
    if (!ours.node.startsWith(`v${lambdaMajor}.`)) notes.push(`ours ran on Node ${ours.node}, not Lambda's ${lambdaMajor}.x: LAMBDA_NODE names another node`);
    const largePhoto = values.images ? undefined : LARGE_PHOTO;
    if (!largePhoto) notes.push("the 24 MP peak-RSS bar is measured on the generated inputs; run without --images to see it");
    notes.push(
      "ImageMagick runs without a -define jpeg:size hint, as a plain `convert` does; vipsthumbnail needs one run per size, so its figures are the sum over sizes",
    );
    const report = summarise({ count, sizes, jpegQuality: JPEG_QUALITY, threads: 1, ours }, startup, figures, largePhoto, drift, notes);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.missingFigures.length > 0 || report.bars.some((bar) => bar.pass === false) ? EXIT_FAILED : EXIT_OK;
  } catch (error) {
    // A figure that could not be obtained fails the run (exit 1), by name, rather than stopping it as unrunnable.
    if (!(error instanceof MissingFigureError)) throw error;
    log(`FAILED: missing figure: ${error.message}`);
    return EXIT_FAILED;
  } finally {
    if (values.keep) log(`kept ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  }
}

const program = cliProgram(
  "npm run bench --",
  "Thumbnail CPU and peak RSS side by side with ImageMagick and vipsthumbnail, peak RSS on a 24 MP JPEG, RSS drift over many images; ours started as Lambda's nodejs22.x runtime starts the thumbnails function. Exit 1 when a bar is missed or a figure is missing.",
)
  .option("--images <dir>", "measure these images instead of the generated inputs")
  .option("--json", "print the report as JSON")
  .addOption(new Option("--count <n>", "measured runs per input and tool (ours: one fresh container each)").argParser(wholeNumberAbove0).default(3))
  .addOption(new Option("--drift <n>", "images in the RSS drift run").argParser(wholeNumberAbove0).default(2000))
  .addOption(
    new Option("--memory <mb>", "the thumbnails function's memory size (the bootstrap derives V8's limits from it)")
      .argParser(wholeNumberAbove0)
      .default(DEFAULT_FUNCTIONS.thumbnails.memoryMb),
  )
  .option("--compare-allocator", "run the drift again without RUNTIME_ENV and the exec wrapper (the bootstrap's and glibc's defaults), for comparison")
  .option("--keep", "keep the work folder")
  .action(async (values: BenchOptions) => {
    process.exitCode = await main(values);
  });

void runCli(program).then(exitWith);
