// Buffers released between records. An upload's bytes and its decoded pixels
// are Buffers whose memory returns only when V8 collects them, and at a small
// memory size the next record's decode can start before the young-generation
// scavenge that would free them: five 24 MP photos at 128 MB peaked anywhere
// from 105 to 120 MiB run to run, against 100 MiB with a full collection
// between records (npm run bench:memory, docs/operations.md). Lambda's
// bootstrap starts node with --expose-gc, so the collection is there to call.
// It costs a few milliseconds, so it runs only when the process holds more
// than COLLECT_ABOVE_MEMORY_SHARE of the function's memory.

/** Share of the function's memory above which the process collects before the next record. */
export const COLLECT_ABOVE_MEMORY_SHARE = 0.6;

/** Whether a process holding `rssBytes` in a function of `memoryMb` should collect before its next record. */
export function decideCollect(rssBytes: number, memoryMb: number | undefined): boolean {
  if (memoryMb === undefined || !Number.isFinite(memoryMb) || memoryMb <= 0) return false;
  return rssBytes > COLLECT_ABOVE_MEMORY_SHARE * memoryMb * 1024 * 1024;
}

/**
 * The release step between records for a function of `memoryMb` (Lambda's
 * AWS_LAMBDA_FUNCTION_MEMORY_SIZE): a full collection when decideCollect says
 * so and the process exposes gc; nothing otherwise (no memory size, or node
 * started without --expose-gc, as in a test).
 */
export function releaseBetweenRecords(
  memoryMb: number | undefined,
  rss: () => number = () => process.memoryUsage.rss(),
  gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc,
): () => void {
  if (gc === undefined || memoryMb === undefined) return () => undefined;
  return () => {
    if (decideCollect(rss(), memoryMb)) gc();
  };
}
