// Starts handler containers: local/handler-host.ts as child processes
// (through tsx, so the TypeScript sources run as they are), one per unit of
// concurrency, each with the function's environment, and relays what they
// report.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../cli/repo-root";
import { withoutRuntimeEnv } from "./runtime-env";
import type { BatchOutcome } from "./event-source";
import type { HandlerHostConfig, HostMessage } from "./handler-host";

export interface MemorySampleOf {
  worker: number;
  at: number;
  rss: number;
  heapUsed: number;
  /** Taken right after a full GC. */
  settled: boolean;
  /** CPU time (user + system) the container has used so far. */
  cpuMicros: number;
}

export interface HandlerHosts {
  pids: number[];
  stop(): Promise<void>;
}

export interface HostListeners {
  onBatch?: (outcome: BatchOutcome) => void;
  onMemory?: (sample: MemorySampleOf) => void;
  log: (line: string) => void;
}

export async function startHandlerHosts(count: number, config: Omit<HandlerHostConfig, "worker">, listeners: HostListeners): Promise<HandlerHosts> {
  const hosts = await Promise.allSettled(Array.from({ length: count }, (_, worker) => startOne({ ...config, worker }, listeners)));
  const started = hosts.flatMap((h) => (h.status === "fulfilled" ? [h.value] : []));
  const failed = hosts.find((h): h is PromiseRejectedResult => h.status === "rejected");
  if (failed) {
    await Promise.all(started.map((h) => h.stop()));
    throw failed.reason;
  }
  return { pids: started.map((h) => h.pid), stop: async () => void (await Promise.all(started.map((h) => h.stop()))) };
}

async function startOne(config: HandlerHostConfig, listeners: HostListeners): Promise<{ pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = fork(join(REPO_ROOT, "local", "handler-host.ts"), [], {
    // --expose-gc: the host takes some memory samples right after a full collection.
    execArgv: ["--import", "tsx", "--expose-gc"],
    // The function's own environment, as Lambda sets it; this shell's own
    // process-start settings (NODE_OPTIONS, MALLOC_ARENA_MAX) are not the function's.
    env: { ...withoutRuntimeEnv(process.env), ...config.functionEnv, HANDLER_HOST_CONFIG: JSON.stringify(config) },
    // Its JSON logs and EMF lines would go to CloudWatch; here only the tail is kept, to explain a crash.
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      if (!stopping) listeners.log(`handler container ${config.worker} exited (code ${code}, signal ${signal}): ${stderrTail.trim().split("\n").slice(-5).join(" | ")}`);
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`handler container ${config.worker} exited (code ${code}) before it was ready: ${stderrTail.trim().slice(-500)}`)));
    child.on("message", (message: HostMessage) => {
      if (message.type === "ready") resolve();
      else if (message.type === "memory") {
        const { at, rss, heapUsed, settled, cpuMicros } = message;
        listeners.onMemory?.({ worker: config.worker, at, rss, heapUsed, settled, cpuMicros });
      }
      else if (message.type === "batch") listeners.onBatch?.(message.outcome);
      else listeners.log(`handler container ${config.worker}: ${message.message}`);
    });
  });
  return {
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.send("stop");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
