// Pure arithmetic and formatting of the benchmark: medians, start-up-corrected
// CPU, ratios and the issue's bars. No processes here.
import type { BenchInput } from "./inputs";
import type { ToolId } from "./tools";

/** File in a render's output folder where our worker writes its in-process CPU seconds. */
export const CPU_REPORT_FILE = "cpu.json";

export interface OutputSize {
  name: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ToolRun {
  /** CPU seconds (user + sys) of each repetition. */
  cpuSeconds: number[];
  /** CPU the process reported for the work itself, start-up excluded (our worker only). */
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

export function median(values: number[]): number {
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
  pass: boolean | undefined;
}

export interface BenchReport {
  settings: { count: number; sizes: { name: string; width: number }[]; jpegQuality: number; threads: number };
  startup: Partial<Record<ToolId, number>>;
  inputs: InputFigures[];
  totals: Partial<Record<ToolId, number>>;
  ratios: { cpuVsConvert?: number; cpuVsVipsthumbnail?: number };
  largePhotoPeakRssMb?: number;
  drift?: DriftResult & { driftMb: number };
  bars: Bar[];
  notes: string[];
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
  const warm = warmSample(result)?.rssMb ?? 0;
  const last = result.samples[result.samples.length - 1]?.rssMb ?? 0;
  return last - warm;
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
  const driftMb = drift ? driftOf(drift) : undefined;
  const check = (value: number | undefined, limit: number) => (value === undefined ? undefined : value <= limit);
  const bars: Bar[] = [
    {
      name: "CPU ours/convert (all inputs)",
      value: ratios.cpuVsConvert,
      target: `<= ${TARGETS.cpuVsConvert} (4x less)`,
      pass: check(ratios.cpuVsConvert, TARGETS.cpuVsConvert),
    },
    {
      name: "CPU ours/vipsthumbnail (all inputs)",
      value: ratios.cpuVsVipsthumbnail,
      target: `<= ${TARGETS.cpuVsVipsthumbnail}`,
      pass: check(ratios.cpuVsVipsthumbnail, TARGETS.cpuVsVipsthumbnail),
    },
    {
      name: "peak RSS ours, 24 MP JPEG (MB)",
      value: largePhotoPeakRssMb,
      target: `<= ${TARGETS.largePhotoRssMb}`,
      pass: check(largePhotoPeakRssMb, TARGETS.largePhotoRssMb),
    },
    { name: `RSS drift over ${drift?.count ?? "-"} images (MB)`, value: driftMb, target: `<= ${TARGETS.driftMb}`, pass: check(driftMb, TARGETS.driftMb) },
  ];
  return { settings, startup, inputs, totals, ratios, largePhotoPeakRssMb, drift: drift && { ...drift, driftMb: driftMb ?? 0 }, bars, notes };
}

const fixed = (value: number | undefined, digits: number) => (value === undefined ? "n/a" : value.toFixed(digits));

export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const { settings } = report;
  lines.push(
    `Thumbnails ${settings.sizes.map((s) => `${s.name} ${s.width}px`).join(", ")} as JPEG q${settings.jpegQuality}, ${settings.threads} thread per tool, median of ${settings.count} run(s).`,
    `CPU = user+sys seconds of the child process. "net" = the pixels' cost: ours as measured inside the process (process.cpuUsage around read, render, write, after one 16x16 warm-up render);`,
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
      `RSS over ${report.drift.count} images in one process: ${fixed(first?.rssMb, 1)} MB after ${first?.images}, ${fixed(warm?.rssMb, 1)} MB after ${warm?.images} (end of warm-up), ${fixed(last?.rssMb, 1)} MB after ${last?.images}, peak ${fixed(report.drift.peakMb, 1)} MB`,
    );
  }
  lines.push("", "Bars:");
  for (const bar of report.bars) {
    lines.push(`  ${bar.pass === undefined ? "n/a " : bar.pass ? "PASS" : "MISS"}  ${bar.name}: ${fixed(bar.value, 3)} (target ${bar.target})`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n")}\n`;
}
