// The /proc readers the benches and the container fleet measure processes with:
// a figure that cannot be read is an error naming the pid, never NaN.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { cpuMicros, residentBytes, residentMiB } from "../../local/proc-status";

describe("process status from /proc", () => {
  it("reads this process's peak and current resident set and its CPU time", () => {
    const { peak, now } = residentMiB(process.pid);
    assert.ok(now > 0 && peak >= now, `peak ${peak} MiB, now ${now} MiB`);
    assert.ok((residentBytes(process.pid) ?? 0) > 0);
    assert.ok(Number.isFinite(cpuMicros(process.pid)));
  });

  it("names the pid when the process is gone, and the samplers get undefined", () => {
    // A child that has exited and been reaped: its pid names no process now.
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    assert.throws(() => residentMiB(gone), new RegExp(`cannot read the resident set of pid ${gone}: .*the process has exited`));
    assert.equal(residentBytes(gone), undefined);
    assert.equal(cpuMicros(gone), undefined);
  });
});
