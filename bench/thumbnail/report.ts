// Pure arithmetic and formatting of the benchmark: medians, start-up-corrected
// CPU, ratios and the issue's bars. No processes here. A figure a bar needs
// that is missing makes the bar's `missing` say which, and the run fail.
import { MissingFigureError } from "../load/measure";
import type { ProcessRuntime } from "./handler";
import type { BenchInput } from "./inputs";
import type { ToolId } from "./tools";

export interface OutputSize {
  name: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ToolRun {
  /** CPU seconds (user + sys) of each repetition. */
  cpuSeconds: number[];
  /** CPU the process reported for the work itself, start-up excluded (ours only). */
  inProcessCpuSeconds?: number[];
  peakRssMb: number;
  outputs: OutputSize[];
}

export interface DriftResult {
  count: number;
  warmup: number;
  /** Every 100 images after warm-up, after a full GC; heap and external show whether growth is JavaScript or native. */
  samples: { images: number; rssMb: number; heapMb?: number; externalMb?: number }[];
  peakMb: number;
}

export const TARGETS = {
  /** ours / convert CPU: at least 4x less. */
  cpuVsConvert: 0.25,
  /** ours / vipsthumbnail CPU: within 1.2x. */
  cpuVsVipsthumbnail: 1.2,
  largePhotoRssMb: 128,
  driftMb: 10,
} as const;

/** Images after which the drift is sampled: every 100th, the end of warm-up, and the last. */
export function driftSamplePoints(count: number, warmup: number): number[] {
  const points = new Set<number>([count]);
  for (let images = 100; images < count; images += 100) points.add(images);
  if (warmup >= 1 && warmup <= count) points.add(warmup);
  return [...points].sort((a, b) => a - b);
}

export function median(values: number[]): number {
  if (values.length === 0) throw new MissingFigureError("a median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface ToolFigures {
  cpuSeconds: number;
  /**
   * The cost of the pixels: ours reports it from inside the process; for the
   * C tools it is CPU minus the same tool's start-up on a 16x16 input.
   */
  netCpuSeconds: number;
  netMethod: "in-process" | "minus start-up";
  peakRssMb: number;
  outputs: OutputSize[];
}

export interface InputFigures {
  input: BenchInput;
  tools: Partial<Record<ToolId, ToolFigures>>;
  ratios: { cpuVsConvert?: number; cpuVsVipsthumbnail?: number };
  /** Outputs whose size differs from ours by more than rounding. */
  mismatches: string[];
}

export interface Bar {
  name: string;
  value: number | undefined;
  target: string;
  /** Undefined when the bar is not judged: its figure is missing, or this run does not measure it. */
  pass: boolean | undefined;
  /** Which figure the bar needs and did not get; the run fails on it. */
  missing?: string;
}

/** The runtime ours ran on, as its process reported it, and the memory it was started with. */
export interface OursRuntime extends ProcessRuntime {
  memoryMb: number;
}

export interface BenchReport {
  settings: { count: number; sizes: { name: string; width: number }[]; jpegQuality: number; threads: number; ours: OursRuntime };
  startup: Partial<Record<ToolId, number>>;
  inputs: InputFigures[];
  totals: Partial<Record<ToolId, number>>;
  ratios: { cpuVsConvert?: number; cpuVsVipsthumbnail?: number };
  largePhotoPeakRssMb?: number;
  /** driftMb is absent (never 0 or NaN) when the samples cannot give it; missingFigures says why. */
  drift?: DriftResult & { driftMb?: number };
  bars: Bar[];
  /** `bar: missing figure` for every bar that could not be judged for want of a figure; any fails the run. */
  missingFigures: string[];
  notes: string[];
}

/** Why ours/`other` CPU has no value, or undefined when it has one. */
function missingRatio(totals: Partial<Record<ToolId, number>>, other: ToolId): string | undefined {
  if (totals.ours === undefined) return "ours has no net CPU for every input";
  const theirs = totals[other];
  if (theirs === undefined) return `${other} has no net CPU for every input (not installed?)`;
  return theirs > 0 ? undefined : `${other}'s net CPU is ${theirs} s, nothing to divide by`;
}

function ratio(ours: number | undefined, other: number | undefined): number | undefined {
  return ours === undefined || other === undefined || other <= 0 ? undefined : ours / other;
}

export function figuresFor(input: BenchInput, runs: Partial<Record<ToolId, ToolRun>>, startup: Partial<Record<ToolId, number>>): InputFigures {
  const tools: Partial<Record<ToolId, ToolFigures>> = {};
  for (const [id, run] of Object.entries(runs) as [ToolId, ToolRun][]) {
    const cpuSeconds = median(run.cpuSeconds);
    const [netCpuSeconds, netMethod] = run.inProcessCpuSeconds?.length
      ? ([median(run.inProcessCpuSeconds), "in-process"] as const)
      : ([Math.max(0, cpuSeconds - (startup[id] ?? 0)), "minus start-up"] as const);
    tools[id] = { cpuSeconds, netCpuSeconds, netMethod, peakRssMb: run.peakRssMb, outputs: run.outputs };
  }
  const mismatches: string[] = [];
  for (const [id, figures] of Object.entries(tools) as [ToolId, ToolFigures][]) {
    if (id === "ours") continue;
    for (const ours of tools.ours?.outputs ?? []) {
      const theirs = figures.outputs.find((o) => o.name === ours.name);
      if (!theirs || theirs.width !== ours.width || Math.abs(theirs.height - ours.height) > 1) {
        mismatches.push(`${id} ${ours.name}: ${theirs ? `${theirs.width}x${theirs.height}` : "missing"} vs ours ${ours.width}x${ours.height}`);
      }
    }
  }
  return {
    input,
    tools,
    ratios: {
      cpuVsConvert: ratio(tools.ours?.netCpuSeconds, tools.convert?.netCpuSeconds),
      cpuVsVipsthumbnail: ratio(tools.ours?.netCpuSeconds, tools.vipsthumbnail?.netCpuSeconds),
    },
    mismatches,
  };
}

/** The sample at the end of warm-up (or the first after it). */
export function warmSample(result: DriftResult): DriftResult["samples"][number] | undefined {
  return result.samples.find((sample) => sample.images >= result.warmup);
}

/** RSS at the end minus RSS once warmed up. */
export function driftOf(result: DriftResult): number {
  const warm = warmSample(result);
  const last = result.samples[result.samples.length - 1];
  if (warm === undefined || last === undefined) throw new MissingFigureError(`no RSS sample at or after the end of warm-up (image ${result.warmup})`);
  return last.rssMb - warm.rssMb;
}

export function summarise(
  settings: BenchReport["settings"],
  startup: Partial<Record<ToolId, number>>,
  inputs: InputFigures[],
  largePhotoLabel: string | undefined,
  drift: DriftResult | undefined,
  notes: string[],
): BenchReport {
  const totals: Partial<Record<ToolId, number>> = {};
  for (const id of ["ours", "convert", "vipsthumbnail"] as ToolId[]) {
    if (inputs.every((figures) => figures.tools[id])) totals[id] = inputs.reduce((sum, figures) => sum + (figures.tools[id]?.netCpuSeconds ?? 0), 0);
  }
  const ratios = { cpuVsConvert: ratio(totals.ours, totals.convert), cpuVsVipsthumbnail: ratio(totals.ours, totals.vipsthumbnail) };
  const largePhotoPeakRssMb = inputs.find((figures) => figures.input.label === largePhotoLabel)?.tools.ours?.peakRssMb;
  let driftMb: number | undefined;
  let driftMissing = drift ? undefined : "no drift run";
  try {
    if (drift) driftMb = driftOf(drift);
  } catch (error) {
    if (!(error instanceof MissingFigureError)) throw error;
    driftMissing = error.message;
  }
  const bar = (name: string, value: number | undefined, limit: number, target: string, missing: string | undefined): Bar =>
    value === undefined ? { name, value, target, pass: undefined, ...(missing ? { missing } : {}) } : { name, value, target, pass: value <= limit };
  const bars: Bar[] = [
    bar("CPU ours/convert (all inputs)", ratios.cpuVsConvert, TARGETS.cpuVsConvert, `<= ${TARGETS.cpuVsConvert} (4x less)`, missingRatio(totals, "convert")),
    bar(
      "CPU ours/vipsthumbnail (all inputs)",
      ratios.cpuVsVipsthumbnail,
      TARGETS.cpuVsVipsthumbnail,
      `<= ${TARGETS.cpuVsVipsthumbnail}`,
      missingRatio(totals, "vipsthumbnail"),
    ),
    // Not judged when this run's inputs have no 24 MP JPEG (--images): a note says so.
    bar(
      "peak RSS ours, 24 MP JPEG (MB)",
      largePhotoPeakRssMb,
      TARGETS.largePhotoRssMb,
      `<= ${TARGETS.largePhotoRssMb}`,
      largePhotoLabel === undefined ? undefined : `no peak RSS of ours on ${largePhotoLabel}`,
    ),
    bar(`RSS drift over ${drift?.count ?? "-"} images (MB)`, driftMb, TARGETS.driftMb, `<= ${TARGETS.driftMb}`, driftMissing),
  ];
  const missingFigures = bars.flatMap((b) => (b.missing ? [`${b.name}: ${b.missing}`] : []));
  return {
    settings,
    startup,
    inputs,
    totals,
    ratios,
    largePhotoPeakRssMb,
    ...(drift ? { drift: { ...drift, ...(driftMb !== undefined ? { driftMb } : {}) } } : {}),
    bars,
    missingFigures,
    notes,
  };
}

/** `Node v22.x, 512 MB, exec wrapper on, node --expose-gc ..., NODE_OPTIONS=...`: what ours ran on. */
export function describeRuntime(runtime: OursRuntime): string {
  return [
    `Node ${runtime.node}`,
    `${runtime.memoryMb} MB`,
    `exec wrapper ${runtime.execWrapper ? "on" : "off"}`,
    `command line node ${runtime.execArgv.join(" ")}`,
    `NODE_OPTIONS=${runtime.nodeOptions || "(unset)"}`,
  ].join(", ");
}

const fixed = (value: number | undefined, digits: number) => (value === undefined ? "n/a" : value.toFixed(digits));

export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const { settings } = report;
  lines.push(
    `Thumbnails ${settings.sizes.map((s) => `${s.name} ${s.width}px`).join(", ")} as JPEG q${settings.jpegQuality}, ${settings.threads} thread per tool, median of ${settings.count} run(s).`,
    `ours runs as Lambda's nodejs22.x bootstrap starts the thumbnails function: ${describeRuntime(settings.ours)};`,
    `a fresh container per render, its peak RSS the process's VmHWM after the invocation.`,
    `CPU = user+sys seconds of the child process (ours: the container's, at the end of its invocation). "net" = the pixels' cost: ours as measured inside the process (process.cpuUsage around read, render, write, after one 16x16 warm-up render);`,
    `the C tools' CPU minus their start-up on a 16x16 input (${Object.entries(report.startup)
      .filter(([id]) => id !== "ours")
      .map(([id, s]) => `${id} ${fixed(s, 3)} s`)
      .join(", ")}; ours starts in ${fixed(report.startup.ours, 3)} s, once per container).`,
    "",
  );
  const header = ["input", "tool", "CPU s", "net CPU s", "peak RSS MB", "outputs"];
  const rows: string[][] = [];
  for (const figures of report.inputs) {
    const { input } = figures;
    for (const [id, tool] of Object.entries(figures.tools) as [ToolId, ToolFigures][]) {
      rows.push([
        `${input.label} (${input.width}x${input.height}, ${(input.bytes / 1024 / 1024).toFixed(1)} MB)`,
        id,
        fixed(tool.cpuSeconds, 3),
        fixed(tool.netCpuSeconds, 3),
        fixed(tool.peakRssMb, 1),
        tool.outputs.map((o) => `${o.width}x${o.height} ${(o.bytes / 1024).toFixed(0)}kB`).join(" "),
      ]);
    }
    rows.push([
      "",
      "ratios",
      `ours/convert ${fixed(figures.ratios.cpuVsConvert, 3)}`,
      `ours/vipsthumbnail ${fixed(figures.ratios.cpuVsVipsthumbnail, 3)}`,
      "",
      figures.mismatches.join("; "),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const render = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  lines.push(render(header), ...rows.map(render), "");
  lines.push(
    `Total net CPU: ${Object.entries(report.totals)
      .map(([id, s]) => `${id} ${fixed(s, 3)} s`)
      .join(", ")}`,
  );
  if (report.drift) {
    const first = report.drift.samples[0];
    const warm = warmSample(report.drift);
    const last = report.drift.samples[report.drift.samples.length - 1];
    lines.push(
      `RSS over ${report.drift.count} images in one container, after a full GC: ${fixed(first?.rssMb, 1)} MB after ${first?.images ?? "-"}, ${fixed(warm?.rssMb, 1)} MB after ${warm?.images ?? "-"} (end of warm-up), ${fixed(last?.rssMb, 1)} MB after ${last?.images ?? "-"}, peak (VmHWM) ${fixed(report.drift.peakMb, 1)} MB`,
    );
  }
  lines.push("", "Bars:");
  for (const bar of report.bars) {
    lines.push(
      `  ${bar.pass === undefined ? "n/a " : bar.pass ? "PASS" : "MISS"}  ${bar.name}: ${fixed(bar.value, 3)} (target ${bar.target})${bar.missing ? `: missing ${bar.missing}` : ""}`,
    );
  }
  if (report.missingFigures.length > 0) lines.push(`FAILED: ${report.missingFigures.length} figure(s) the verdict needs are missing`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n")}\n`;
}
