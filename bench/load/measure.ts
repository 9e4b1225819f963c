// Pure arithmetic of the load bench: peaks, RSS drift after warm-up,
// throughput. Kept apart so the rules can be read (and tested) on their own.

export interface MemorySample {
  at: number;
  rss: number;
  /** V8 heap in use, when known: tells a JS leak from native (libvips, malloc) growth. */
  heapUsed?: number;
}

/** Samples after warm-up a drift is computed from, at least. */
export const MIN_DRIFT_SAMPLES = 4;

/** A figure the verdict needs could not be computed: the bench says so instead of judging NaN. */
export class MissingFigureError extends Error {
  override name = "MissingFigureError";
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * RSS drift in bytes: the median of the last tenth of the samples taken
 * after warm-up, minus the median of the first tenth after it. Medians keep
 * one garbage-collection spike from deciding the figure.
 */
export function rssDrift(
  samples: readonly MemorySample[],
  warmedUpAt: number,
): { driftBytes: number; startRss: number; endRss: number; peakRss: number; samples: number } {
  const steady = samples.filter((s) => s.at >= warmedUpAt);
  // A drift of one sample (or none) is no figure: NaN must never reach a verdict.
  if (steady.length < MIN_DRIFT_SAMPLES)
    throw new MissingFigureError(`${steady.length} sample(s) after warm-up; the drift needs at least ${MIN_DRIFT_SAMPLES}`);
  const tenth = Math.max(1, Math.floor(steady.length / 10));
  const startRss = median(steady.slice(0, tenth).map((s) => s.rss));
  const endRss = median(steady.slice(-tenth).map((s) => s.rss));
  return { driftBytes: endRss - startRss, startRss, endRss, peakRss: Math.max(...samples.map((s) => s.rss)), samples: steady.length };
}

export function throughput(items: number, startedAt: number, endedAt: number): number {
  const seconds = (endedAt - startedAt) / 1000;
  return seconds > 0 ? items / seconds : 0;
}

/** RSS over time as a few points (for the report), one per `buckets` slice. */
export function rssTimeline(samples: readonly MemorySample[], startedAt: number, buckets = 10): { second: number; rssMb: number; heapMb?: number }[] {
  if (samples.length === 0) return [];
  const step = Math.max(1, Math.floor(samples.length / buckets));
  const points = [];
  for (let i = 0; i < samples.length; i += step) {
    const { at, rss, heapUsed } = samples[i];
    points.push({ second: Math.round((at - startedAt) / 1000), rssMb: mb(rss), ...(heapUsed !== undefined ? { heapMb: mb(heapUsed) } : {}) });
  }
  return points;
}

export function mb(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}
