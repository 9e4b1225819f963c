import { strict as assert } from "node:assert";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { withLock } from "../../../toolchain/build/lock";
import { makeTempDirs } from "./support/temp-trees";

describe("build: cross-process lock", () => {
  const temp = makeTempDirs();
  after(() => temp.cleanup());

  it("runs holders one at a time and releases the lock after each, also on failure", async () => {
    const lock = join(temp.make("lock"), "out.lock");
    const events: string[] = [];
    const holder = (name: string, fail: boolean) =>
      withLock(
        lock,
        async () => {
          events.push(`${name} in`);
          await sleep(30);
          events.push(`${name} out`);
          if (fail) throw new Error(`${name} failed`);
          return name;
        },
        { pollMs: 5 },
      );
    const results = await Promise.allSettled([holder("a", true), holder("b", false)]);
    assert.deepEqual(events, ["a in", "a out", "b in", "b out"]);
    assert.equal(results[0].status, "rejected");
    assert.deepEqual(results[1], { status: "fulfilled", value: "b" });
    assert.equal(existsSync(lock), false);
  });

  it("takes over a lock whose owner process is gone", async () => {
    const lock = join(temp.make("lock"), "stale.lock");
    mkdirSync(lock);
    // pid 2^22+1 is above Linux's pid_max ceiling, so no process can have it.
    writeFileSync(join(lock, "owner.json"), JSON.stringify({ pid: 4194305, host: hostname() }));
    assert.equal(await withLock(lock, async () => "took over", { pollMs: 5, timeoutMs: 2000 }), "took over");
  });

  it("gives up with the lock path and owner when a live holder keeps it", async () => {
    const lock = join(temp.make("lock"), "busy.lock");
    mkdirSync(lock);
    writeFileSync(join(lock, "owner.json"), JSON.stringify({ pid: process.pid, host: hostname() }));
    await assert.rejects(
      withLock(lock, async () => "never", { pollMs: 5, timeoutMs: 50 }),
      new RegExp(`timed out after 50 ms waiting for .*busy\\.lock \\(held by pid ${process.pid}\\)`),
    );
  });
});
