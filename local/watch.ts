// Processes files dropped into a folder. fs.watch reports a file several
// times while it is being written, so each name waits for a quiet period
// (debounce) and for its size to stop changing before it is handed on.
import { watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";

export interface WatchOptions {
  debounceMs?: number;
  /** Resolves the returned promise (the watch ends) when aborted. */
  signal?: AbortSignal;
  onError?: (error: unknown, path: string) => void;
}

/** Calls `onFile` once per settled new or changed file; runs until the signal aborts (or forever). */
export function watchFolder(dir: string, onFile: (path: string) => Promise<void>, options: WatchOptions = {}): Promise<void> {
  const debounceMs = options.debounceMs ?? 400;
  const timers = new Map<string, NodeJS.Timeout>();
  let queue: Promise<void> = Promise.resolve();

  const settle = async (path: string, lastSize = -1): Promise<void> => {
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) return;
      size = info.size;
    } catch {
      return; // removed again, or a rename away
    }
    if (size !== lastSize) {
      timers.set(
        path,
        setTimeout(() => void settle(path, size), debounceMs),
      );
      return;
    }
    timers.delete(path);
    // One file at a time keeps the printed lines in arrival order.
    queue = queue.then(() => onFile(path)).catch((error: unknown) => options.onError?.(error, path));
  };

  return new Promise((resolve, reject) => {
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (!name || name.startsWith(".")) return;
        const path = join(dir, name.toString());
        clearTimeout(timers.get(path));
        timers.set(
          path,
          setTimeout(() => void settle(path), debounceMs),
        );
      });
    } catch (error) {
      reject(new Error(`cannot watch ${dir}: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    watcher.on("error", reject);
    options.signal?.addEventListener("abort", () => {
      watcher.close();
      for (const timer of timers.values()) clearTimeout(timer);
      void queue.then(() => resolve());
    });
  });
}
