// `npm run bench -- [--images DIR] [--json] [--count N] [--drift N]`: CPU
// seconds and peak RSS of making the configured thumbnail sizes with our path,
// ImageMagick's convert and libvips' vipsthumbnail, side by side in one run;
// then peak RSS on a 24 MP JPEG and RSS drift over many images in one process.
// A benchmark, not a test: it prints figures and PASS/MISS against the bars.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { Option } from "commander";
import { build } from "esbuild";
import sharp from "sharp";
import { JPEG_QUALITY, RUNTIME_ENV, buildSpecs, thumbnailConfigFromEnv, type ThumbnailSpec } from "../../handlers/thumbnails/image";
import { LARGE_PHOTO, generateInputs, inputsFromFolder, startupProbe, type BenchInput } from "./inputs";
import { withoutRuntimeEnv } from "../../local/runtime-env";
import { measureAll } from "./measure";
import { CPU_REPORT_FILE, driftOf, figuresFor, formatReport, median, summarise, type DriftResult, type OutputSize, type ToolRun } from "./report";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { cliProgram, EXIT_FAILED, EXIT_OK, exitWith, runCli, UsageError } from "../../cli/exit-codes";
import { PACKAGE_FOR, convertTool, findBinary, oursTool, vipsthumbnailTool, type Tool, type ToolId } from "./tools";

/** Inputs up to this many pixels feed the drift run, so 2,000 images take about a minute. */
const DRIFT_MAX_PIXELS = 4_000_000;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function bundleWorker(dir: string): Promise<string> {
  const outfile = join(dir, "worker.cjs");
  await build({
    entryPoints: [resolve(__dirname, "worker.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["sharp"],
    outfile,
    logLevel: "error",
  });
  return outfile;
}

/** The node_modules folder sharp resolves from, for the bundled worker's NODE_PATH. */
function nodeModulesOfSharp(): string {
  const entry = require.resolve("sharp");
  return entry.slice(0, entry.lastIndexOf("node_modules") + "node_modules".length);
}

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
  const inProcessCpuSeconds: number[] = [];
  let peakRssMb = 0;
  let outputs: OutputSize[] = [];
  for (let run = 0; run < count; run++) {
    const outDir = join(workDir, `${tool.id}-${run}`);
    await mkdir(outDir, { recursive: true });
    const measured = await measureAll(bash, tool.commands(input.path, outDir, stem));
    cpuSeconds.push(measured.cpuSeconds);
    const cpuReport = join(outDir, CPU_REPORT_FILE);
    if (existsSync(cpuReport)) inProcessCpuSeconds.push((JSON.parse(await readFile(cpuReport, "utf8")) as { cpuSeconds: number }).cpuSeconds);
    peakRssMb = Math.max(peakRssMb, measured.peakRssMb);
    if (run === count - 1) outputs = await outputsOf(outDir, stem, specs);
    await rm(outDir, { recursive: true, force: true });
  }
  return { cpuSeconds, ...(inProcessCpuSeconds.length ? { inProcessCpuSeconds } : {}), peakRssMb, outputs };
}

async function runDrift(
  worker: string,
  nodeModules: string,
  specs: ThumbnailSpec[],
  inputs: BenchInput[],
  count: number,
  env: Record<string, string>,
): Promise<DriftResult> {
  // V8 grows its heap to its working size over the first few hundred images
  // (measured: about 4 MB heap and 6 MB external by image 500, flat after);
  // drift is counted from there, so it shows leaks rather than that one-off growth.
  const warmup = Math.max(1, Math.floor(count / 4));
  const args = ["--expose-gc", worker, "drift", String(count), String(warmup), JSON.stringify(specs), ...inputs.map((input) => input.path)];
  return new Promise((done, fail) => {
    // Each drift run gets exactly the process-start settings asked for, not the shell's.
    const child = spawn(process.execPath, args, {
      env: { ...withoutRuntimeEnv(process.env), ...env, NODE_PATH: nodeModules, SHARP_CONCURRENCY: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => (code === 0 ? done(JSON.parse(out) as DriftResult) : fail(new Error(`drift run exited ${code}: ${err.trim()}`))));
  });
}

interface BenchOptions {
  images?: string;
  json?: boolean;
  count: number;
  drift: number;
  keep?: boolean;
  compareAllocator?: boolean;
}

async function main(values: BenchOptions): Promise<number> {
  const { count, drift: driftCount } = values;
  if (values.images !== undefined && !existsSync(values.images)) throw new UsageError(`--images ${values.images} does not exist`);

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
    const worker = await bundleWorker(workDir);
    const nodeModules = nodeModulesOfSharp();
    const probe = await startupProbe(workDir);
    const tools: Tool[] = [oursTool(worker, nodeModules, specs, probe.path)];
    for (const [name, make] of [
      ["convert", convertTool],
      ["vipsthumbnail", vipsthumbnailTool],
    ] as const) {
      const binary = findBinary(name);
      if (binary) tools.push(make(binary, specs));
      else {
        const message = `${name} not found on PATH: install the "${PACKAGE_FOR[name]}" package (apt-get install -y ${PACKAGE_FOR[name]}); its column is left out`;
        log(message);
        notes.push(message);
      }
    }

    const inputs = values.images ? await inputsFromFolder(resolve(values.images), log) : await generateInputs(workDir, log);
    if (inputs.length === 0) throw new Error(`no JPEG, PNG or WebP files in ${values.images}`);

    const startup: Partial<Record<ToolId, number>> = {};
    for (const tool of tools) startup[tool.id] = median((await runTool(bash, tool, probe, workDir, specs, Math.max(3, count))).cpuSeconds);
    log(
      `start-up CPU: ${Object.entries(startup)
        .map(([id, s]) => `${id} ${s?.toFixed(3)} s`)
        .join(", ")}`,
    );

    const figures = [];
    for (const input of inputs) {
      const runs: Partial<Record<ToolId, ToolRun>> = {};
      for (const tool of tools) runs[tool.id] = await runTool(bash, tool, input, workDir, specs, count);
      figures.push(figuresFor(input, runs, startup));
      log(`measured ${input.label}`);
    }

    const driftInputs = inputs.filter((input) => input.width * input.height <= DRIFT_MAX_PIXELS);
    log(`drift: ${driftCount} images in one process over ${(driftInputs.length ? driftInputs : inputs).map((i) => i.label).join(", ")}`);
    const drift = await runDrift(worker, nodeModules, specs, driftInputs.length ? driftInputs : inputs, driftCount, { ...RUNTIME_ENV });
    const runtimeEnv = Object.entries(RUNTIME_ENV)
      .map(([key, value]) => `${key}=${value}`)
      .join(" ");
    notes.push(`our path runs with the function's RUNTIME_ENV (${runtimeEnv}) in every measurement`);
    if (values.compareAllocator) {
      log("drift again without RUNTIME_ENV (glibc defaults), for comparison");
      const plain = await runDrift(worker, nodeModules, specs, driftInputs.length ? driftInputs : inputs, driftCount, {});
      notes.push(`without ${runtimeEnv}: RSS drift ${driftOf(plain).toFixed(1)} MB over ${plain.count} images, peak ${plain.peakMb.toFixed(1)} MB`);
    }

    const largePhoto = values.images ? undefined : LARGE_PHOTO;
    if (!largePhoto) notes.push("the 24 MP peak-RSS bar is measured on the generated inputs; run without --images to see it");
    notes.push(
      "ImageMagick runs without a -define jpeg:size hint, as a plain `convert` does; vipsthumbnail needs one run per size, so its figures are the sum over sizes",
    );
    const report = summarise({ count, sizes, jpegQuality: JPEG_QUALITY, threads: 1 }, startup, figures, largePhoto, drift, notes);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.bars.some((bar) => bar.pass === false) ? EXIT_FAILED : EXIT_OK;
  } finally {
    if (values.keep) log(`kept ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  }
}

const program = cliProgram(
  "npm run bench --",
  "Thumbnail CPU and peak RSS side by side with ImageMagick and vipsthumbnail, peak RSS on a 24 MP JPEG, RSS drift over many images. Exit 1 when a bar is missed.",
)
  .option("--images <dir>", "measure these images instead of the generated inputs")
  .option("--json", "print the report as JSON")
  .addOption(new Option("--count <n>", "measured runs per input and tool").argParser(wholeNumberAbove0).default(3))
  .addOption(new Option("--drift <n>", "images in the RSS drift run").argParser(wholeNumberAbove0).default(2000))
  .option("--compare-allocator", "run the drift again on glibc's defaults, for comparison")
  .option("--keep", "keep the work folder")
  .action(async (values: BenchOptions) => {
    process.exitCode = await main(values);
  });

void runCli(program).then(exitWith);
