// What thumbnails the pipeline makes: the size and format rules and their
// defaults, one rule for the stack config the program validates and for the
// environment the functions (and `pipectl process`) read.

/** Output encodings the pipeline can write. */
export const OUTPUT_FORMATS = ["jpeg", "webp", "avif", "png"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Spellings accepted for a format besides its name. */
export const FORMAT_ALIASES: Readonly<Record<string, OutputFormat>> = { jpg: "jpeg" };

export interface ThumbnailSize {
  /** `small`, `medium`, ...; the row's `thumbnail_url_<name>` column for the primary format. */
  name: string;
  /** Target width in pixels; never upscaled. */
  width: number;
}

/** The story's two sizes: `small` 160 px and `medium` 320 px wide. */
export const DEFAULT_SIZES: readonly ThumbnailSize[] = [
  { name: "small", width: 160 },
  { name: "medium", width: 320 },
];

/** JPEG first (the primary: the row's URL columns), WebP beside it for clients that take it. */
export const DEFAULT_FORMATS: readonly OutputFormat[] = ["jpeg", "webp"];

/**
 * Thumbnail widths: below 16 px nothing is recognisable, above 4096 px it is
 * no thumbnail, and refusing it keeps a typo from costing the decode budget.
 */
export const THUMBNAIL_WIDTH = { min: 16, max: 4096 } as const;

/** Size names: they become a column suffix and a file name, so a letter, then letters, digits or `_`. */
export const SIZE_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
export const SIZE_NAME_EXPECTED = 'lower-case letters, digits or _, starting with a letter, e.g. "small"';
export const THUMBNAIL_WIDTH_EXPECTED = `an integer from ${THUMBNAIL_WIDTH.min} to ${THUMBNAIL_WIDTH.max} pixels`;

/** Inputs larger than these are refused before decoding (50 MiB, 40 megapixels). */
export const DEFAULT_IMAGE_LIMITS = { maxInputBytes: 50 * 1024 * 1024, maxInputPixels: 40_000_000 } as const;

export interface SizeProblem {
  field: "name" | "width";
  value: unknown;
  expected: string;
}

/** What is wrong with one size entry, field by field (empty when it is a good one). */
export function sizeProblems(entry: { name?: unknown; width?: unknown }): SizeProblem[] {
  const problems: SizeProblem[] = [];
  if (typeof entry.name !== "string" || !SIZE_NAME_PATTERN.test(entry.name)) problems.push({ field: "name", value: entry.name, expected: SIZE_NAME_EXPECTED });
  const w = entry.width;
  if (typeof w !== "number" || !Number.isInteger(w) || w < THUMBNAIL_WIDTH.min || w > THUMBNAIL_WIDTH.max)
    problems.push({ field: "width", value: w, expected: THUMBNAIL_WIDTH_EXPECTED });
  return problems;
}

/** The format a spelling stands for (case-insensitive, aliases included), or undefined. */
export function canonicalFormat(value: unknown): OutputFormat | undefined {
  if (typeof value !== "string") return undefined;
  const lower = value.trim().toLowerCase();
  const format = FORMAT_ALIASES[lower] ?? lower;
  return (OUTPUT_FORMATS as readonly string[]).includes(format) ? (format as OutputFormat) : undefined;
}

/** Thrown for configuration mistakes (not for image input): the message names the setting and the fix. */
export class ThumbnailConfigError extends Error {
  override name = "ThumbnailConfigError";
}

/** THUMBNAIL_SIZES (and `--sizes`): `[{"name":"small","width":160},...]`. */
export function parseSizes(json: string, source = "THUMBNAIL_SIZES"): ThumbnailSize[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new ThumbnailConfigError(`${source} is not valid JSON (${(err as Error).message}); expected e.g. [{"name":"small","width":160}]`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ThumbnailConfigError(`${source} must be a non-empty JSON array like [{"name":"small","width":160}]`);
  }
  const names = new Set<string>();
  return parsed.map((entry: unknown, index) => {
    const size = (entry ?? {}) as { name?: unknown; width?: unknown };
    const [problem] = sizeProblems(size);
    if (problem !== undefined)
      throw new ThumbnailConfigError(`${source}[${index}].${problem.field} must be ${problem.expected}, got ${JSON.stringify(problem.value)}`);
    const name = size.name as string;
    if (names.has(name)) throw new ThumbnailConfigError(`${source} names "${name}" twice; size names must be unique`);
    names.add(name);
    return { name, width: size.width as number };
  });
}

/** THUMBNAIL_FORMATS (and `--formats`): `jpeg,webp`, the first being the primary. */
export function parseFormats(csv: string, source = "THUMBNAIL_FORMATS"): OutputFormat[] {
  const parts = csv
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (parts.length === 0) throw new ThumbnailConfigError(`${source} is empty; expected a comma list such as "jpeg,webp"`);
  const formats = parts.map((part) => {
    const format = canonicalFormat(part);
    if (format === undefined) throw new ThumbnailConfigError(`${source} has unknown format "${part}"; allowed: ${OUTPUT_FORMATS.join(", ")}`);
    return format;
  });
  return [...new Set(formats)];
}

export function formatSizes(sizes: readonly ThumbnailSize[]): string {
  return JSON.stringify(sizes.map(({ name, width }) => ({ name, width })));
}

export function formatFormats(formats: readonly OutputFormat[]): string {
  return formats.join(",");
}

/**
 * Environment the thumbnails function (and anything else that renders in a
 * long-lived process) starts with; the program sets it on the Lambda, and the
 * benchmarks and the local handler containers run with it. Both settings
 * bound memory that otherwise grows for hundreds of invocations and reads as a
 * leak in RSS:
 * - MALLOC_ARENA_MAX=1: glibc gives each thread that calls malloc its own
 *   arena, and libvips work hops across libuv's pool threads, so freed pixel
 *   buffers stay fragmented in several arenas: RSS grew about 31 MB per 1,000
 *   images with the default and stayed flat (under 1 MB over 2,000) with one
 *   arena. Images are processed one at a time, so one arena costs no lock
 *   contention.
 * - --max-semi-space-size=8: V8 sizes its young generation from the memory of
 *   the machine it finds (Node 20+), up to 16 MB semi-spaces, and grows it
 *   under the SDK's and logger's allocation rate over the first hundreds of
 *   invocations; RSS then climbs 15-20 MB in steps while the heap in use stays
 *   flat. Capping it at 8 MB keeps that growth small, over within the first
 *   hundred invocations and the same wherever the function runs; the load
 *   bench measured no throughput cost, and the worst container's drift over
 *   1,000 images went from 4-13 MB to 1-6 MB (docs/operations.md).
 * Both must be in the environment at process start. On Lambda the bootstrap
 * puts --max-semi-space-size (a twentieth of the memory) on node's command
 * line, which beats NODE_OPTIONS: the exec wrapper (EXEC_WRAPPER_FILE) drops
 * it there so NODE_OPTIONS' value holds (tests/local/lambda-bootstrap.test.ts
 * reads the young generation the process got).
 */
export const RUNTIME_ENV: Readonly<{ MALLOC_ARENA_MAX: string; NODE_OPTIONS: string }> = { MALLOC_ARENA_MAX: "1", NODE_OPTIONS: "--max-semi-space-size=8" };

/** The exec wrapper the build ships, executable, at the root of the thumbnails bundle (handlers/shared/exec-wrapper). */
export const EXEC_WRAPPER_FILE = "node-options-wrapper";
