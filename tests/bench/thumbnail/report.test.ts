// The benchmark's pure arithmetic: parsing bash `times`, start-up correction,
// ratios, output-size parity, the bars and the figures they miss. (The
// benchmark itself is not a test.)
import { strict as assert } from "node:assert";
import { parseTimes } from "../../../bench/thumbnail/measure";
import { driftOf, driftSamplePoints, figuresFor, formatReport, median, summarise, type ToolRun } from "../../../bench/thumbnail/report";
import type { BenchInput } from "../../../bench/thumbnail/inputs";

const input: BenchInput = { path: "/in/photo.jpg", label: "photo.jpg", width: 6000, height: 4000, bytes: 7_000_000 };
const outputs = [
  { name: "small", width: 160, height: 107, bytes: 4000 },
  { name: "medium", width: 320, height: 213, bytes: 12000 },
];
const run = (cpuSeconds: number[], peakRssMb: number, outs = outputs): ToolRun => ({ cpuSeconds, peakRssMb, outputs: outs });
const settings = {
  count: 1,
  sizes: [],
  jpegQuality: 80,
  threads: 1,
  ours: {
    node: "v22.23.5",
    execArgv: ["--expose-gc", "--max-http-header-size", "81920", "--max-old-space-size=461"],
    nodeOptions: "--max-semi-space-size=8",
    execWrapper: true,
    memoryMb: 512,
  },
};

describe("bench report", () => {
  it("reads the children's CPU from bash times", () => {
    assert.equal(parseTimes("0m0.002s 0m0.001s\n0m1.250s 0m0.050s\n"), 1.3);
    assert.equal(parseTimes("0m0.002s 0m0.001s\n1m2.000s 0m0.500s"), 62.5);
    assert.throws(() => parseTimes("garbage"), /unexpected output from bash times/);
  });

  it("takes medians of odd and even counts, and refuses none", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /a median of no values/);
  });

  it("samples the drift every 100 images, at the end of warm-up and at the end", () => {
    assert.deepEqual(driftSamplePoints(450, 112), [100, 112, 200, 300, 400, 450]);
    assert.deepEqual(driftSamplePoints(200, 50), [50, 100, 200]);
    assert.deepEqual(driftSamplePoints(3, 1), [1, 3]);
  });

  it("subtracts each tool's start-up and divides ours by the others", () => {
    const figures = figuresFor(
      input,
      { ours: run([0.25, 0.24, 0.3], 70), convert: run([0.9, 0.91, 0.95], 200), vipsthumbnail: run([0.26, 0.27, 0.25], 30) },
      { ours: 0.15, convert: 0.01, vipsthumbnail: 0.06 },
    );
    assert.ok(Math.abs((figures.tools.ours?.netCpuSeconds ?? 0) - 0.1) < 1e-9);
    assert.ok(Math.abs((figures.ratios.cpuVsConvert ?? 0) - 0.1 / 0.9) < 1e-9);
    assert.ok(Math.abs((figures.ratios.cpuVsVipsthumbnail ?? 0) - 0.1 / 0.2) < 1e-9);
    assert.deepEqual(figures.mismatches, []);
  });

  it("prefers the CPU ours measured inside its process over start-up subtraction", () => {
    const ours: ToolRun = { ...run([0.25, 0.24, 0.3], 70), inProcessCpuSeconds: [0.031, 0.029, 0.05] };
    const figures = figuresFor(input, { ours, convert: run([0.9], 200) }, { ours: 0.15, convert: 0.01 });
    assert.deepEqual([figures.tools.ours?.netCpuSeconds, figures.tools.ours?.netMethod], [0.031, "in-process"]);
    assert.equal(figures.tools.convert?.netMethod, "minus start-up");
  });

  it("flags outputs whose size differs from ours by more than rounding", () => {
    const figures = figuresFor(
      input,
      {
        ours: run([0.2], 70),
        convert: run([0.9], 200, [{ ...outputs[0], height: 108 }, outputs[1]]),
        vipsthumbnail: run([0.2], 30, [{ ...outputs[0], width: 160, height: 160 }]),
      },
      {},
    );
    assert.deepEqual(figures.mismatches, ["vipsthumbnail small: 160x160 vs ours 160x107", "vipsthumbnail medium: missing vs ours 320x213"]);
  });

  it("judges the bars on totals, the 24 MP input and drift after warm-up", () => {
    const figures = [figuresFor(input, { ours: run([0.2], 130), convert: run([1.0], 200), vipsthumbnail: run([0.1], 30) }, {})];
    const drift = {
      count: 2000,
      warmup: 500,
      peakMb: 95,
      samples: [
        { images: 100, rssMb: 70 },
        { images: 500, rssMb: 90 },
        { images: 2000, rssMb: 101 },
      ],
    };
    assert.equal(driftOf(drift), 11);
    const report = summarise(settings, {}, figures, "photo.jpg", drift, []);
    assert.deepEqual(
      report.bars.map((bar) => [bar.value, bar.pass]),
      [
        [0.2, true],
        [2, false],
        [130, false],
        [11, false],
      ],
    );
  });

  it("leaves a bar undecided when its figure is missing, and names the figure", () => {
    const report = summarise(settings, {}, [figuresFor(input, { ours: run([0.2], 70) }, {})], "photo-24mp.jpg", undefined, []);
    assert.deepEqual(
      report.bars.map((bar) => bar.pass),
      [undefined, undefined, undefined, undefined],
    );
    assert.deepEqual(report.missingFigures, [
      "CPU ours/convert (all inputs): convert has no net CPU for every input (not installed?)",
      "CPU ours/vipsthumbnail (all inputs): vipsthumbnail has no net CPU for every input (not installed?)",
      "peak RSS ours, 24 MP JPEG (MB): no peak RSS of ours on photo-24mp.jpg",
      "RSS drift over - images (MB): no drift run",
    ]);
    assert.match(formatReport(report), /FAILED: 4 figure\(s\) the verdict needs are missing/);
  });

  it("does not judge the 24 MP bar on inputs that have none (--images), and does not count it missing", () => {
    const figures = [figuresFor(input, { ours: run([0.2], 70), convert: run([1.0], 200), vipsthumbnail: run([0.2], 30) }, {})];
    const drift = {
      count: 200,
      warmup: 50,
      peakMb: 90,
      samples: [
        { images: 50, rssMb: 80 },
        { images: 200, rssMb: 81 },
      ],
    };
    const report = summarise(settings, {}, figures, undefined, drift, []);
    assert.deepEqual(
      report.bars.map((bar) => bar.pass),
      [true, true, undefined, true],
    );
    assert.deepEqual(report.missingFigures, []);
  });

  it("names a drift without a sample after warm-up as missing, never 0", () => {
    const drift = { count: 200, warmup: 150, peakMb: 90, samples: [{ images: 100, rssMb: 80 }] };
    assert.throws(() => driftOf(drift), /no RSS sample at or after the end of warm-up \(image 150\)/);
    const report = summarise(settings, {}, [], undefined, drift, []);
    assert.equal(report.drift?.driftMb, undefined);
    assert.deepEqual(report.missingFigures.slice(-1), ["RSS drift over 200 images (MB): no RSS sample at or after the end of warm-up (image 150)"]);
  });

  it("says which runtime ours ran on", () => {
    const text = formatReport(summarise(settings, {}, [], undefined, undefined, []));
    assert.match(text, /Node v22\.23\.5, 512 MB, exec wrapper on, command line node --expose-gc --max-http-header-size 81920 --max-old-space-size=461/);
    assert.match(text, /NODE_OPTIONS=--max-semi-space-size=8/);
  });
});
