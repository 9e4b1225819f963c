// The load bench judges only containers that started as deployed: it reads
// each container's command line and environment from /proc and refuses a run
// whose "function" containers lack a RUNTIME_ENV setting or the exec wrapper.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { containerStart, describeStart, startProblemsOf } from "../../../bench/load/container-start";
import { RUNTIME_ENV } from "../../../contracts";

const WRAPPER = "/var/task/node-options-wrapper";

describe("load bench: how a container really started", () => {
  it("reads node's flags and the process-start settings of a running process", async () => {
    const child = spawn(process.execPath, ["--expose-gc", "--max-old-space-size=461", "-e", "setTimeout(() => {}, 10000)"], {
      env: { ...RUNTIME_ENV, AWS_LAMBDA_EXEC_WRAPPER: WRAPPER, UNRELATED: "x" },
      stdio: "ignore",
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const start = containerStart(child.pid as number);
      assert.deepEqual(start.nodeFlags, ["--expose-gc", "--max-old-space-size=461", "-e"]);
      assert.deepEqual(start.startSettings, { ...RUNTIME_ENV, AWS_LAMBDA_EXEC_WRAPPER: WRAPPER });
      assert.deepEqual(startProblemsOf(start), []);
      assert.match(
        describeStart(start),
        /^node --expose-gc --max-old-space-size=461 -e \(MALLOC_ARENA_MAX=1 .*AWS_LAMBDA_EXEC_WRAPPER=node-options-wrapper\)$/,
      );
    } finally {
      child.kill();
      await once(child, "exit");
    }
  });

  it("names each way a container did not start as deployed", () => {
    const withoutWrapper = startProblemsOf({ nodeFlags: [], startSettings: { ...RUNTIME_ENV } });
    assert.deepEqual(withoutWrapper, ["AWS_LAMBDA_EXEC_WRAPPER is unset: NODE_OPTIONS' flags lose to the bootstrap's"]);
    const [key, value] = Object.entries(RUNTIME_ENV)[0];
    const changed = startProblemsOf({ nodeFlags: [], startSettings: { ...RUNTIME_ENV, [key]: `${value}0`, AWS_LAMBDA_EXEC_WRAPPER: WRAPPER } });
    assert.deepEqual(changed, [`${key} is ${value}0, deployed ${value}`]);
    assert.equal(startProblemsOf({ nodeFlags: [], startSettings: {} }).length, Object.keys(RUNTIME_ENV).length + 1);
  });
});
