// What `npm run bench` measures as "ours" must be what Lambda runs: one
// render through the bench's own code path (its task root, its launch, a
// fresh container) reports, from inside the process, Node 22 and the
// command line the bootstrap derives from the memory; and the container is
// gone afterwards, also when the render fails.
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lambdaNodeBinary, oursLaunch, prepareTaskRoot, renderInFreshContainer, type OursVariant } from "../../../bench/thumbnail/ours";
import { startupProbe, type BenchInput } from "../../../bench/thumbnail/inputs";
import { DEFAULT_SIZES, RUNTIME_ENV, buildSpecs } from "../../../handlers/thumbnails/image";
import { DEFAULT_FUNCTIONS } from "../../../infra/config";

const MEMORY_MB = DEFAULT_FUNCTIONS.thumbnails.memoryMb;
/** The bootstrap's split: a tenth of the memory is young generation (two semi-spaces), the rest old. */
const YOUNG_MB = Math.floor(MEMORY_MB / 10);

describe("the thumbnail bench's ours under the nodejs22.x bootstrap", function () {
  // A build of dist/ when stale, and Node 22 installed into the build cache when missing.
  this.timeout(300_000);
  const specs = buildSpecs(DEFAULT_SIZES, ["jpeg"]);
  let dir: string;
  let taskRoot: string;
  let probe: BenchInput;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "bench-ours-"));
    taskRoot = await prepareTaskRoot(dir);
    probe = await startupProbe(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function launch(variant: OursVariant) {
    return oursLaunch(taskRoot, { memoryMb: MEMORY_MB, variant, nodeBinary: lambdaNodeBinary(() => undefined) });
  }

  it("renders in a fresh container on Node 22 with the bootstrap's flags for the memory, through the exec wrapper", async () => {
    const outDir = join(dir, "function");
    mkdirSync(outDir);
    const measured = await renderInFreshContainer(launch("function"), { kind: "render", input: probe.path, outDir, specs, warmup: probe.path });
    const { node, execArgv, nodeOptions, execWrapper } = measured.runtime;
    assert.match(node, /^v22\./, `ours ran on Node ${node}`);
    assert.ok(execArgv.includes("--expose-gc"), execArgv.join(" "));
    assert.ok(execArgv.includes(`--max-old-space-size=${MEMORY_MB - YOUNG_MB}`), execArgv.join(" "));
    // The wrapper drops the bootstrap's semi-space flag so RUNTIME_ENV's NODE_OPTIONS holds.
    assert.equal(execWrapper, true);
    assert.ok(!execArgv.some((arg) => arg.startsWith("--max-semi-space-size")), execArgv.join(" "));
    assert.equal(nodeOptions, RUNTIME_ENV.NODE_OPTIONS);
    assert.deepEqual(readdirSync(outDir).sort(), ["startup-probe.medium.jpg", "startup-probe.small.jpg"]);
    assert.ok(measured.cpuSeconds >= 0 && measured.processCpuSeconds > measured.cpuSeconds, JSON.stringify(measured));
    assert.ok(measured.peakRssMb > 0 && measured.peakRssMb < MEMORY_MB, `peak RSS ${measured.peakRssMb} MB`);
    assert.equal(existsSync(`/proc/${measured.pid}`), false, "the container is stopped after its render");
  });

  it("runs without RUNTIME_ENV and the exec wrapper on the bootstrap's own semi-space flag (node-defaults)", async () => {
    const outDir = join(dir, "node-defaults");
    mkdirSync(outDir);
    const { runtime } = await renderInFreshContainer(launch("node-defaults"), { kind: "render", input: probe.path, outDir, specs, warmup: probe.path });
    assert.equal(runtime.execWrapper, false);
    assert.equal(runtime.nodeOptions, "");
    assert.ok(runtime.execArgv.includes(`--max-semi-space-size=${Math.floor(YOUNG_MB / 2)}`), runtime.execArgv.join(" "));
  });

  it("stops the container when the render fails, and says what failed", async () => {
    const missing = join(dir, "no-such-photo.jpg");
    let pid: number | undefined;
    await assert.rejects(
      renderInFreshContainer(launch("function"), { kind: "render", input: missing, outDir: dir, specs, warmup: probe.path }),
      (error: Error) => {
        assert.match(error.message, /ours: rendering .*no-such-photo\.jpg failed in the container \(pid (\d+)\): ENOENT/);
        pid = Number(/\(pid (\d+)\)/.exec(error.message)?.[1]);
        return true;
      },
    );
    assert.ok(pid !== undefined && pid > 0);
    assert.equal(existsSync(`/proc/${pid}`), false, `container ${pid} is stopped after the failed render`);
  });
});
