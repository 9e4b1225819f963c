// The load bench's memory figures are only worth something if its handler
// containers start as the deployed function does: with RUNTIME_ENV (read at
// process start, so only the environment can carry it), without this shell's
// own NODE_OPTIONS, and reporting what they keep between invocations.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { RUNTIME_ENV } from "../../handlers/thumbnails/image";
import type { MemorySampleOf } from "../../local/handler-host-process";
import type { LocalPipeline, LocalPipelineOptions } from "../../local/pipeline";
import { testPipeline, uploadTiny, waitUntil } from "../support/local-pipeline";

/** A process's environment as it started (Linux). */
function startEnvironmentOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
}

describe("child handler containers (the load bench's Lambda containers)", function () {
  this.timeout(90_000);
  const shellNodeOptions = process.env.NODE_OPTIONS;
  let pipeline: LocalPipeline | undefined;

  async function start(name: string, options: LocalPipelineOptions): Promise<LocalPipeline> {
    // A developer's own setting, which a Lambda container would never see.
    process.env.NODE_OPTIONS = "--max-old-space-size=3000";
    try {
      pipeline = await testPipeline(name, { handlerHost: "child", concurrency: 2, ...options });
      return pipeline;
    } finally {
      if (shellNodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = shellNodeOptions;
    }
  }

  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it("start with the function's RUNTIME_ENV and report memory and CPU after GC between invocations", async () => {
    const samples: MemorySampleOf[] = [];
    const running = await start("containers", { onHandlerMemory: (sample) => samples.push(sample) });
    assert.equal(running.handlerPids.length, 2);
    for (const pid of running.handlerPids) {
      const env = startEnvironmentOf(pid);
      for (const [key, value] of Object.entries(RUNTIME_ENV)) assert.equal(env[key], value, `container ${pid}: ${key}`);
    }

    const keys = Array.from({ length: 6 }, (_, i) => `containers/${i}.jpg`);
    await uploadTiny(running, keys);
    const { rows, missing } = await running.waitForRows(keys, { timeoutMs: 30_000 });
    assert.deepEqual(missing, []);
    assert.deepEqual([...rows.values()].map((row) => row.status), keys.map(() => "ok"));
    await waitUntil("a sample taken after GC between invocations", () => samples.some((s) => s.settled));
    for (const sample of samples.filter((s) => s.settled)) {
      assert.ok(sample.cpuMicros > 0, "a settled sample carries the container's CPU time");
      assert.ok(sample.rss > sample.heapUsed, "RSS includes the V8 heap in use");
    }
  });

  it("run on Node's and glibc's defaults when asked, for the side-by-side comparison", async () => {
    const running = await start("containers_defaults", { runtimeEnv: {} });
    assert.equal(running.handlerPids.length, 2, "both containers started");
    for (const pid of running.handlerPids) {
      const env = startEnvironmentOf(pid);
      // The container's own environment was read (a process that is gone would leave none), and the function's settings are not in it.
      assert.equal(env.HANDLER_HOST_CONFIG !== undefined, true, `container ${pid} is a handler container`);
      for (const key of Object.keys(RUNTIME_ENV)) assert.equal(env[key], undefined, `container ${pid} should not have ${key}`);
    }
  });
});
