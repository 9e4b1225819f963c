// The load bench's memory bar, without I/O.
import { strict as assert } from "node:assert";
import { rssDrift } from "../../../bench/load/measure";

describe("load bench measures", () => {
  describe("RSS drift (the load bench's memory bar)", () => {
    const MB = 1024 * 1024;
    const series = (rssMb: (i: number) => number, count = 40) => Array.from({ length: count }, (_, i) => ({ at: i * 1000, rss: rssMb(i) * MB }));

    it("ignores growth before warm-up and one spike after it", () => {
      // Warm-up climbs 30 MB; afterwards flat at 130 MB but for one GC-time spike in the last tenth.
      const samples = series((i) => (i < 10 ? 100 + 3 * i : i === 38 ? 160 : 130));
      const drift = rssDrift(samples, 10_000);
      assert.equal(drift.driftBytes, 0);
      assert.equal(drift.samples, 30);
      assert.equal(drift.peakRss, 160 * MB);
    });

    it("reports steady growth after warm-up as drift", () => {
      // 0.5 MB per sample over 30 samples after warm-up: the medians of the first and last three are 27 samples apart.
      const drift = rssDrift(
        series((i) => (i < 10 ? 100 : 120 + 0.5 * (i - 10))),
        10_000,
      );
      assert.equal(drift.driftBytes / MB, 13.5);
      assert.equal(drift.startRss, 120.5 * MB);
    });
  });
});
