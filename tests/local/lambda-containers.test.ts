// The local pipeline's function containers are what the load bench measures
// and what every local run exercises, so they must start as Lambda starts the
// deployed function (its bundle through the bootstrap, its environment and
// Lambda's reserved variables, none of this shell's settings), and behave as
// Lambda's execution environments do when one dies.
import { strict as assert } from "node:assert";
import { THUMBNAILS_ENVIRONMENT, RUNTIME_ENV } from "../../handlers/thumbnails/image";
import { DEFAULT_FUNCTIONS } from "../../infra/config";
import type { MemorySampleOf } from "../../local/lambda-containers";
import { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from "../../local/pipeline";
import { commandLineOf, startEnvironmentOf } from "../../local/proc-status";
import { testPipeline, uploadTiny, waitUntil } from "../support/local-pipeline";

describe("lambda containers of the local pipeline", function () {
  this.timeout(120_000);
  const shellNodeOptions = process.env.NODE_OPTIONS;
  let pipeline: LocalPipeline | undefined;

  async function start(name: string, options: LocalPipelineOptions): Promise<LocalPipeline> {
    // A developer's own setting, which a Lambda container would never see.
    process.env.NODE_OPTIONS = "--max-old-space-size=3000";
    process.env.SOME_SHELL_SETTING = "from the shell";
    try {
      pipeline = await testPipeline(name, { concurrency: 2, ...options });
      return pipeline;
    } finally {
      if (shellNodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = shellNodeOptions;
      delete process.env.SOME_SHELL_SETTING;
    }
  }

  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it("start the bundle through the bootstrap with the function's environment and Lambda's reserved variables", async () => {
    const samples: MemorySampleOf[] = [];
    const running = await start("containers", { onHandlerMemory: (sample) => samples.push(sample) });
    assert.equal(running.handlerPids.length, 2);
    const memory = DEFAULT_FUNCTIONS.thumbnails.memoryMb;
    for (const pid of running.handlerPids) {
      const env = startEnvironmentOf(pid);
      for (const [key, value] of Object.entries(RUNTIME_ENV)) assert.equal(env[key], value, `container ${pid}: ${key}`);
      assert.match(env.AWS_LAMBDA_EXEC_WRAPPER ?? "", /\/dist\/thumbnails\/node-options-wrapper$/, "the wrapper's /var/task path points into the bundle");
      assert.equal(env.MAX_INPUT_PIXELS, THUMBNAILS_ENVIRONMENT.MAX_INPUT_PIXELS);
      assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, String(memory));
      assert.equal(env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs22.x");
      assert.equal(env._HANDLER, "index.handler");
      assert.match(env.LAMBDA_TASK_ROOT ?? "", /\/dist\/thumbnails$/);
      assert.match(env.AWS_LAMBDA_RUNTIME_API ?? "", /^127\.0\.0\.1:\d+$/);
      assert.equal(env.TZ, ":UTC");
      assert.equal(env.SOME_SHELL_SETTING, undefined, "nothing of the shell's environment");
      // The bootstrap's command line for this memory, with the wrapper's edit: NODE_OPTIONS' semi-space wins.
      const argv = commandLineOf(pid);
      assert.ok(argv.includes("--expose-gc"), argv.join(" "));
      assert.ok(argv.includes(`--max-old-space-size=${memory - Math.floor(memory / 10)}`), argv.join(" "));
      assert.ok(!argv.some((a) => a.startsWith("--max-semi-space-size=")), `the wrapper dropped the bootstrap's semi-space flag: ${argv.join(" ")}`);
      assert.match(argv[argv.length - 1] ?? "", /lambda-runtime\/index\.mjs$/);
    }

    const keys = Array.from({ length: 6 }, (_, i) => `containers/${i}.jpg`);
    await uploadTiny(running, keys);
    const { rows, missing } = await running.waitForRows(keys, { timeoutMs: 60_000 });
    assert.deepEqual(missing, []);
    assert.deepEqual(
      [...rows.values()].map((row) => row.status),
      keys.map(() => "ok"),
    );
    await waitUntil("a sample taken after GC between invocations", () => samples.some((s) => s.settled));
    for (const sample of samples.filter((s) => s.settled)) {
      assert.ok(sample.cpuMicros > 0, "a settled sample carries the container's CPU time");
      assert.ok(sample.rss > sample.heapUsed, "RSS includes the V8 heap in use");
    }
  });

  it("run on the bootstrap's defaults without the wrapper when asked, for the side-by-side comparison", async () => {
    const running = await start("containers_defaults", { processStart: "bootstrap-defaults" });
    assert.equal(running.handlerPids.length, 2, "both containers started");
    const memory = DEFAULT_FUNCTIONS.thumbnails.memoryMb;
    for (const pid of running.handlerPids) {
      const env = startEnvironmentOf(pid);
      assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, "thumbnails", `container ${pid} is a function container`);
      for (const key of [...Object.keys(RUNTIME_ENV), "AWS_LAMBDA_EXEC_WRAPPER"]) assert.equal(env[key], undefined, `container ${pid} should not have ${key}`);
      assert.ok(commandLineOf(pid).includes(`--max-semi-space-size=${Math.floor(memory / 10 / 2)}`));
    }
  });

  it("replace containers that die, and the messages they held come back after the visibility timeout", async () => {
    const running = await start("containers_killed", { visibilityTimeoutSeconds: 2, maxReceiveCount: 5 });
    const before = [...running.handlerPids];
    const keys = Array.from({ length: 12 }, (_, i) => `killed/${i}.jpg`);
    await uploadTiny(running, keys);
    for (const pid of before) process.kill(pid, "SIGKILL");
    await waitUntil("every slot running a new container", () => running.handlerPids.every((pid, slot) => pid !== before[slot] && processAlive(pid)), 60_000);
    assert.equal(running.containerReplacements() >= 2, true);
    const { rows, missing, inDlq } = await running.waitForRows(keys, { timeoutMs: 90_000 });
    assert.deepEqual(missing, []);
    assert.deepEqual(inDlq, []);
    assert.equal(rows.size, keys.length);
  });
});

describe("stopping the local pipeline", function () {
  this.timeout(180_000);

  it("returns while its database is down, with invocations stuck on it", async () => {
    // Its own embedded server, so it can be taken down.
    const pipeline = await startLocalPipeline({
      databaseUrl: undefined,
      concurrency: 2,
      functionTimeoutSeconds: 10,
      functionEnv: { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" },
    });
    const database = pipeline.database.embedded;
    assert.ok(database, "an embedded PostgreSQL");
    await database.takeDown();
    await uploadTiny(pipeline, ["outage/0.jpg", "outage/1.jpg", "outage/2.jpg"]);
    await waitUntil("the containers to be working on the uploads", () => pipeline.aws.peekQueue(pipeline.queue.name)?.length === 3, 30_000);
    // Resolving at all is the test (mocha's timeout fails a hang); stop() bounds each step, so this never waits for good.
    await pipeline.stop();
    for (const pid of pipeline.handlerPids) assert.equal(processAlive(pid), false, `container ${pid} was stopped`);
  });
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
