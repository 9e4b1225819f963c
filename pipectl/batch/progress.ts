// Progress of a run: a cli-progress bar with rate and ETA on a terminal;
// plain lines (text or JSON) every few seconds otherwise, so logs and CI show
// where a run is without control characters.
import { SingleBar } from "cli-progress";

export interface Progress {
  start(total: number, done: number): void;
  update(done: number, extra?: { failed?: number }): void;
  stop(): void;
}

export type ProgressMode = "bar" | "lines" | "json" | "silent";

export function progressMode(options: { json?: boolean; quiet?: boolean; isTTY: boolean }): ProgressMode {
  if (options.quiet) return "silent";
  if (options.json) return "json";
  return options.isTTY ? "bar" : "lines";
}

/** Items per second and seconds left, from a start time and counts. */
export function rateAndEta(startedAt: number, now: number, doneThisRun: number, remaining: number): { rate: number; etaSeconds: number | null } {
  const seconds = (now - startedAt) / 1000;
  const rate = seconds > 0 ? doneThisRun / seconds : 0;
  return { rate, etaSeconds: rate > 0 ? remaining / rate : null };
}

export function createProgress(label: string, mode: ProgressMode, stream: NodeJS.WritableStream = process.stderr, intervalMs = 2000): Progress {
  if (mode === "silent") return { start: () => undefined, update: () => undefined, stop: () => undefined };
  if (mode === "bar") {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted} | failed {failed}`,
      stream,
      etaBuffer: 50,
      hideCursor: true,
    });
    let startedAt = Date.now();
    let startValue = 0;
    return {
      start(total, done) {
        startedAt = Date.now();
        startValue = done;
        bar.start(total, done, { rate: "0.0", failed: 0 });
      },
      update(done, extra) {
        const { rate } = rateAndEta(startedAt, Date.now(), done - startValue, 0);
        bar.update(done, { rate: rate.toFixed(1), failed: extra?.failed ?? 0 });
      },
      stop: () => bar.stop(),
    };
  }
  let total = 0;
  let startValue = 0;
  let startedAt = Date.now();
  let lastPrinted = 0;
  let last = { done: 0, failed: 0 };
  const print = () => {
    const { rate, etaSeconds } = rateAndEta(startedAt, Date.now(), last.done - startValue, Math.max(0, total - last.done));
    lastPrinted = Date.now();
    if (mode === "json") {
      stream.write(
        `${JSON.stringify({ progress: label, done: last.done, total, failed: last.failed, rate: Number(rate.toFixed(2)), etaSeconds: etaSeconds === null ? null : Math.round(etaSeconds) })}\n`,
      );
    } else {
      const eta = etaSeconds === null ? "?" : `${Math.round(etaSeconds)}s`;
      stream.write(`${label}: ${last.done}/${total} (${rate.toFixed(1)}/s, ETA ${eta}, failed ${last.failed})\n`);
    }
  };
  return {
    start(t, done) {
      total = t;
      startValue = done;
      startedAt = Date.now();
      last = { done, failed: 0 };
      print();
    },
    update(done, extra) {
      last = { done, failed: extra?.failed ?? last.failed };
      if (Date.now() - lastPrinted >= intervalMs) print();
    },
    stop: () => print(),
  };
}
