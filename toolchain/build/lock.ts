// A cross-process lock (a folder created atomically), so builds started at the
// same time by several test runs or `npm run plan` don't write one output or
// one cache folder together. A lock whose owner process is gone is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

interface Owner {
  pid: number;
  host: string;
}

function ownerOf(lockDir: string): Owner | null {
  try {
    return JSON.parse(readFileSync(join(lockDir, "owner.json"), "utf8")) as Owner;
  } catch {
    return null; // being created or removed right now
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryAcquire(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  writeFileSync(join(lockDir, "owner.json"), JSON.stringify({ pid: process.pid, host: hostname() }));
  return true;
}

export interface LockOptions {
  timeoutMs?: number;
  pollMs?: number;
}

/** Runs `fn` holding the lock at `lockDir`; waits for another holder to finish first. */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const pollMs = options.pollMs ?? 200;
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let ownerSeenMissing = 0;
  while (!tryAcquire(lockDir)) {
    const owner = ownerOf(lockDir);
    if (owner === null) {
      // An owner file missing for a whole second means its creator died between mkdir and write.
      ownerSeenMissing += pollMs;
      if (ownerSeenMissing >= 1000) rmSync(lockDir, { recursive: true, force: true });
    } else {
      ownerSeenMissing = 0;
      if (owner.host === hostname() && !isAlive(owner.pid)) rmSync(lockDir, { recursive: true, force: true });
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${lockDir} (held by pid ${owner?.pid ?? "?"}); remove it if no build is running.`);
    }
    await sleep(pollMs);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
