// `pipectl process FILE_OR_DIR...`: the thumbnail handler's own
// decode/validate/resize path (renderThumbnails) on local files. Every file is
// classified ok or rejected-with-reason; only unusable arguments fail the run
// (exit 2). sharp loads when the first file is rendered, not for --help.
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { Option, type Command } from "commander";
import { parsedBy, wholeNumberAbove0 } from "../../cli/arguments";
import { EXIT_FAILED, EXIT_OK, UsageError } from "../../cli/exit-codes";
import { DEFAULT_FORMATS, DEFAULT_LIMITS, DEFAULT_SIZES, FILE_EXTENSIONS, buildSpecs, parseFormats, parseSizes } from "../../handlers/thumbnails/image/config";
import type { ImageLimits, ImageOutcome, OutputFormat, ThumbnailSpec } from "../../handlers/thumbnails/image/types";

interface ProcessOptions {
  json?: boolean;
  out?: string;
  sizes: { name: string; width: number }[];
  formats: OutputFormat[];
  maxPixels: number;
  maxBytes: number;
}

/** One line of `--json` output. */
export interface FileReport {
  file: string;
  status: "ok" | "rejected";
  reason?: string;
  detail?: string;
  inputFormat?: string;
  outputs: { name: string; width: number; height: number; format: string; bytes: number }[];
  ms: number;
}

function settingsFrom(options: ProcessOptions): { specs: ThumbnailSpec[]; limits: ImageLimits } {
  return { specs: buildSpecs(options.sizes, options.formats), limits: { maxInputBytes: options.maxBytes, maxInputPixels: options.maxPixels } };
}

/** Files under the given paths: folders recursed, each folder's entries sorted, special files (FIFOs, sockets) skipped. */
async function collectFiles(paths: string[], skipped: string[]): Promise<string[]> {
  const files: string[] = [];
  const visit = async (path: string, fromArgument: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; pass existing files or folders`);
    }
    if (info.isDirectory()) {
      let entries;
      try {
        entries = await readdir(path);
      } catch (err) {
        throw new UsageError(`cannot list folder ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      for (const entry of entries.sort()) await visit(join(path, entry), false);
    } else if (info.isFile()) {
      files.push(path);
    } else if (fromArgument) {
      throw new UsageError(`${path} is neither a file nor a folder`);
    } else {
      // Reading a FIFO would block forever; it cannot be an uploaded object anyway.
      skipped.push(path);
    }
  };
  for (const path of paths) await visit(path, true);
  return files;
}

async function classify(file: string, specs: ThumbnailSpec[], limits: ImageLimits): Promise<{ report: FileReport; outcome?: ImageOutcome }> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  // Refuse oversized files from their size alone, as the handler does from Content-Length.
  const { size } = await stat(file);
  if (size > limits.maxInputBytes) {
    const detail = `${size} bytes is over the ${limits.maxInputBytes}-byte input cap (--max-bytes)`;
    return { report: { file, status: "rejected", reason: "too-large", detail, outputs: [], ms: elapsed() } };
  }
  const { renderThumbnails } = require("../../handlers/thumbnails/image/render") as typeof import("../../handlers/thumbnails/image/render");
  const outcome = await renderThumbnails(await readFile(file), specs, limits);
  if (!outcome.ok) {
    return { report: { file, status: "rejected", reason: outcome.reason, detail: outcome.detail, outputs: [], ms: elapsed() }, outcome };
  }
  const outputs = outcome.outputs.map(({ name, width, height, format, bytes }) => ({ name, width, height, format, bytes }));
  return { report: { file, status: "ok", inputFormat: outcome.inputFormat, outputs, ms: elapsed() }, outcome };
}

async function writeOutputs(outDir: string, file: string, outcome: ImageOutcome): Promise<void> {
  if (!outcome.ok) return;
  const stem = basename(file, extname(file));
  for (const output of outcome.outputs) {
    await writeFile(join(outDir, `${stem}.${output.name}.${FILE_EXTENSIONS[output.format]}`), output.data);
  }
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

function tableRow(report: FileReport): string {
  const result =
    report.status === "ok"
      ? `${report.inputFormat} -> ${report.outputs.map((o) => `${o.name} ${o.width}x${o.height} ${o.format} ${formatBytes(o.bytes)}`).join(", ")}`
      : `${report.reason}: ${report.detail}`;
  return `${report.status.padEnd(8)} ${`${report.ms.toFixed(0)} ms`.padStart(8)}  ${report.file}\n${" ".repeat(19)}${result}`;
}

function summary(reports: FileReport[]): string {
  const byReason = new Map<string, number>();
  for (const report of reports) if (report.reason) byReason.set(report.reason, (byReason.get(report.reason) ?? 0) + 1);
  const ok = reports.filter((r) => r.status === "ok").length;
  const reasons = [...byReason].map(([reason, count]) => `${reason} ${count}`).join(", ");
  return `${reports.length} file(s): ${ok} ok, ${reports.length - ok} rejected${reasons ? ` (${reasons})` : ""}`;
}

async function run(paths: string[], options: ProcessOptions): Promise<number> {
  const { specs, limits } = settingsFrom(options);
  const skipped: string[] = [];
  const files = await collectFiles(paths, skipped);
  for (const path of skipped) process.stderr.write(`pipectl process: skipping ${path}: not a regular file\n`);
  if (options.out) await mkdir(options.out, { recursive: true });

  const reports: FileReport[] = [];
  let unreadable = 0;
  for (const file of files) {
    let classified;
    try {
      classified = await classify(file, specs, limits);
    } catch (err) {
      // renderThumbnails never throws for bad bytes: what lands here is the file system (EACCES, vanished file).
      unreadable++;
      process.stderr.write(`pipectl process: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      continue;
    }
    reports.push(classified.report);
    if (options.out && classified.outcome) await writeOutputs(options.out, file, classified.outcome);
    process.stdout.write(options.json ? `${JSON.stringify(classified.report)}\n` : `${tableRow(classified.report)}\n`);
  }
  if (!options.json) process.stdout.write(`${summary(reports)}\n`);
  if (unreadable > 0) {
    process.stderr.write(`pipectl process: ${unreadable} file(s) could not be read; see the messages above\n`);
    return EXIT_FAILED;
  }
  return EXIT_OK;
}

export function register(program: Command): void {
  program
    .command("process")
    .description(
      "Run the thumbnail handler's decode/validate/resize path on local files (folders are recursed, in sorted order); a rejected file is a result, not a failure",
    )
    .argument("<paths...>", "files or folders")
    .option("--json", "print one JSON object per line and file: file, status, reason, outputs, ms")
    .option("--out <dir>", "write thumbnails there as <basename>.<size>.<ext>")
    .addOption(
      new Option("--sizes <json>", "sizes as JSON, as THUMBNAIL_SIZES")
        .argParser(parsedBy((v) => parseSizes(v, "--sizes")))
        .default([...DEFAULT_SIZES], JSON.stringify(DEFAULT_SIZES)),
    )
    .addOption(
      new Option("--formats <list>", "output formats, comma separated, as THUMBNAIL_FORMATS")
        .argParser(parsedBy((v) => parseFormats(v, "--formats")))
        .default([...DEFAULT_FORMATS], DEFAULT_FORMATS.join(",")),
    )
    .addOption(new Option("--max-pixels <n>", "input pixel cap").argParser(wholeNumberAbove0).default(DEFAULT_LIMITS.maxInputPixels))
    .addOption(new Option("--max-bytes <n>", "input byte cap").argParser(wholeNumberAbove0).default(DEFAULT_LIMITS.maxInputBytes))
    .action(async (paths: string[], options: ProcessOptions) => {
      process.exitCode = await run(paths, options);
    });
}
