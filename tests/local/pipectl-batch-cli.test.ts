// `pipectl reprocess` and `pipectl dlq redrive` as operators run them: the
// real CLI in a child process, against a local pipeline it starts itself,
// reporting in JSON on stdout and answering with its exit code.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const REPO = join(__dirname, "..", "..");
const PIPECTL = join(REPO, "bin", "pipectl.js");
const SAMPLE_COUNT = readdirSync(join(REPO, "samples")).filter((f) => !f.startsWith(".")).length;

async function pipectl(args: string[]): Promise<{ report: Record<string, unknown>; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [PIPECTL, ...args], { cwd: REPO, timeout: 90_000 });
  const lines = stdout.trim().split("\n");
  return { report: JSON.parse(lines[lines.length - 1]) as Record<string, unknown>, stderr };
}

describe("pipectl reprocess and dlq redrive (CLI)", function () {
  this.timeout(120_000);

  it("reprocess --local sends every sample, waits for the rows and exits 0 with a per-reason report", async () => {
    const { report, stderr } = await pipectl(["reprocess", "--local", "--json"]);
    assert.equal(report.kind, "reprocess");
    assert.equal(report.status, "completed");
    assert.equal(report.objects, SAMPLE_COUNT);
    assert.equal(report.sentThisRun, SAMPLE_COUNT);
    assert.equal(report.ok, SAMPLE_COUNT);
    assert.deepEqual(report.failedByReason, {});
    assert.deepEqual(report.notEnqueued, []);
    assert.equal(report.dlqDepth, 0);
    assert.match(stderr, /"progress":"reprocess","done":\d+,"total":\d+/, "progress goes to stderr as JSON lines");
  });

  it("dlq redrive --local with an empty DLQ moves nothing and exits 0", async () => {
    const { report } = await pipectl(["dlq", "redrive", "--local", "--json"]);
    assert.equal(report.kind, "redrive");
    assert.equal(report.status, "completed");
    assert.equal(report.movedThisRun, 0);
    assert.equal(report.dlqDepth, 0);
  });

  it("refuses to run without a target, naming the flags to pass", async () => {
    await assert.rejects(pipectl(["reprocess", "--json"]), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr ?? "", /--bucket and --queue-url .* or --local/);
      return true;
    });
  });
});
