// The execution environments behind the local event source: one slot per unit
// of concurrency, each holding one function container started by the
// launcher (local/lambda-launcher.ts). As on Lambda, a container that dies
// (a crash, an OOM kill, a SIGKILL, a timeout) is replaced by a new one (a
// cold start); the batch it was running fails, so its messages come back
// after the queue's visibility timeout. Memory is read from inside each
// container between invocations (after a full GC, through the runtime
// client's probe) for the load bench.
import { launchLambda, type LambdaContainer, type LambdaFunctionSpec, type LaunchOptions } from "./lambda-launcher";
import { cpuMicros, residentBytes } from "./proc-status";
import type { SqsBatchHandler, SQSBatchResponse } from "./sqs-event";

export interface MemorySampleOf {
  worker: number;
  /** The container's process id (a replacement has a new one). */
  pid: number;
  at: number;
  rss: number;
  heapUsed: number;
  /** Taken right after a full GC. */
  settled: boolean;
  /** CPU time (user + system) the container has used so far. */
  cpuMicros: number;
}

export interface ContainerListeners {
  onMemory?: (sample: MemorySampleOf) => void;
  log: (line: string) => void;
}

export interface ContainerFleet {
  /** Process ids of the running containers, by slot (kept current as containers are replaced). */
  pids: number[];
  /** Containers started to replace one that died. */
  replacements(): number;
  /** The handler the event source's worker `slot` invokes. */
  handlerFor(slot: number): SqsBatchHandler;
  /** Ends every container within a bounded time; no slot is refilled afterwards. */
  stop(): Promise<void>;
}

export interface FleetOptions {
  count: number;
  spec: LambdaFunctionSpec;
  launch?: LaunchOptions;
  /** Between two invocations, at most this often, a memory probe after a full GC (0: never). */
  settledSampleMs?: number;
  /** RSS read from /proc this often, whatever the container is doing (0: never). */
  memorySampleMs?: number;
}

interface Slot {
  container?: LambdaContainer;
  starting?: Promise<LambdaContainer>;
  lastSettledAt: number;
}

export async function startContainerFleet(options: FleetOptions, listeners: ContainerListeners): Promise<ContainerFleet> {
  let stopped = false;
  let replaced = 0;
  const pids: number[] = [];
  const slots: Slot[] = Array.from({ length: options.count }, () => ({ lastSettledAt: 0 }));

  function start(index: number): Promise<LambdaContainer> {
    const slot = slots[index] as Slot;
    if (slot.starting) return slot.starting;
    const starting = launchLambda(options.spec, options.launch).then(
      (container) => {
        slot.container = container;
        slot.starting = undefined;
        pids[index] = container.pid;
        if (stopped) void container.stop();
        void container.exited.then(({ code, signal }) => {
          if (slot.container !== container) return;
          slot.container = undefined;
          if (stopped) return;
          listeners.log(
            `${options.spec.name} container ${index} (pid ${container.pid}) exited (code ${code}, signal ${signal}); starting a new one: ${container
              .outputTail()
              .trim()
              .split("\n")
              .slice(-2)
              .map((line) => line.slice(0, 200))
              .join(" | ")}`,
          );
          replaced++;
          // Replaced at once, as Lambda starts a new environment for the next invocation; a failed start is retried by the next invocation.
          void start(index).catch((error: unknown) => listeners.log(`${options.spec.name} container ${index}: ${(error as Error).message}`));
        });
        return container;
      },
      (error: unknown) => {
        slot.starting = undefined;
        throw error;
      },
    );
    slot.starting = starting;
    return starting;
  }

  async function containerOf(index: number): Promise<LambdaContainer> {
    const slot = slots[index] as Slot;
    if (slot.container?.alive()) return slot.container;
    return start(index);
  }

  const sampler =
    options.memorySampleMs && options.memorySampleMs > 0
      ? setInterval(() => {
          for (const [worker, slot] of slots.entries()) {
            const pid = slot.container?.alive() ? slot.container.pid : undefined;
            const rss = pid !== undefined ? residentBytes(pid) : undefined;
            if (pid !== undefined && rss !== undefined)
              listeners.onMemory?.({ worker, pid, at: Date.now(), rss, heapUsed: 0, settled: false, cpuMicros: cpuMicros(pid) ?? 0 });
          }
        }, options.memorySampleMs)
      : undefined;
  sampler?.unref();

  async function settledSample(worker: number, container: LambdaContainer): Promise<void> {
    const slot = slots[worker] as Slot;
    const every = options.settledSampleMs ?? 0;
    if (every <= 0 || !listeners.onMemory || Date.now() - slot.lastSettledAt < every) return;
    slot.lastSettledAt = Date.now();
    try {
      const probe = (await container.probe("memory")) as { rss: number; heapUsed: number; cpuMicros: number; gc: boolean };
      listeners.onMemory({
        worker,
        pid: container.pid,
        at: Date.now(),
        rss: probe.rss,
        heapUsed: probe.heapUsed,
        settled: probe.gc,
        cpuMicros: probe.cpuMicros,
      });
    } catch {
      // The container died meanwhile: its replacement is sampled later.
    }
  }

  try {
    await Promise.all(slots.map((_, i) => start(i)));
  } catch (error) {
    stopped = true;
    await Promise.all(slots.map((s) => s.container?.stop()));
    throw error;
  }

  return {
    pids,
    replacements: () => replaced,
    handlerFor(worker) {
      return async (event) => {
        if (stopped) throw new Error("the function's containers are stopping");
        const container = await containerOf(worker);
        const result = await container.invoke(event);
        if (result.kind === "threw") throw result.error ?? new Error("invocation failed");
        if (!result.containerLost) await settledSample(worker, container);
        return result.value as SQSBatchResponse | undefined;
      };
    },
    async stop() {
      stopped = true;
      if (sampler) clearInterval(sampler);
      await Promise.all(slots.map(async (slot) => (slot.container ?? (await slot.starting?.catch(() => undefined)))?.stop()));
    },
  };
}
