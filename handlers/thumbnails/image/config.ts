// Defaults and parsing of the thumbnail configuration shared by the handler,
// the canary and `pipectl process` (THUMBNAIL_SIZES, THUMBNAIL_FORMATS,
// MAX_INPUT_BYTES, MAX_INPUT_PIXELS in docs/contracts.md).
import { integer } from "../../shared/env";
import type { ImageLimits, OutputFormat, ThumbnailSpec } from "./types";

export const OUTPUT_FORMATS: readonly OutputFormat[] = ["jpeg", "webp", "avif", "png"];

/** The story's two sizes: `small` 160 px and `medium` 320 px wide. */
export const DEFAULT_SIZES: readonly { name: string; width: number }[] = [
  { name: "small", width: 160 },
  { name: "medium", width: 320 },
];

export const DEFAULT_FORMATS: readonly OutputFormat[] = ["jpeg"];

export const DEFAULT_SPECS: readonly ThumbnailSpec[] = DEFAULT_SIZES.map((size) => ({ ...size, format: "jpeg" }));

export const DEFAULT_LIMITS: Readonly<ImageLimits> = {
  maxInputBytes: 50 * 1024 * 1024,
  maxInputPixels: 40_000_000,
};

/**
 * The memory a container holds before any image (runtime, SDK clients, the
 * database pool, sharp and libvips loaded), and what each decoded megapixel
 * adds at its peak, both measured as peak RSS (VmHWM) under the bootstrap's
 * flags by `npm run bench:memory` (docs/operations.md): idle 85-86 MiB; a
 * batch of five JPEGs peaked at 103.7 MiB at 24 MP and 123.7 MiB at 40 MP
 * (0.74-0.94 MiB per megapixel), so 1 MiB per megapixel with a tenth of the
 * memory kept free.
 */
export const BASELINE_MIB = 86;
export const MIB_PER_MEGAPIXEL = 1;

/**
 * The pixel cap at a memory size: MAX_INPUT_PIXELS, lowered so the largest
 * admitted photo fits in the function's memory with room to spare (the OOM
 * remediator is the safety net, not the plan). Lambda reports the memory as
 * AWS_LAMBDA_FUNCTION_MEMORY_SIZE, so a raised memory raises the cap.
 */
export function admittedPixels(memoryMb: number | undefined, maxInputPixels: number): number {
  if (memoryMb === undefined || !Number.isFinite(memoryMb) || MIB_PER_MEGAPIXEL <= 0) return maxInputPixels;
  const headroom = memoryMb * 0.9 - BASELINE_MIB;
  return Math.max(1_000_000, Math.min(maxInputPixels, Math.floor((headroom / MIB_PER_MEGAPIXEL) * 1_000_000)));
}

/** Widths above this are not thumbnails; refusing them keeps a typo from costing the decode budget. */
export const MAX_THUMBNAIL_WIDTH = 4096;

export const CONTENT_TYPES: Readonly<Record<OutputFormat, string>> = {
  jpeg: "image/jpeg",
  webp: "image/webp",
  avif: "image/avif",
  png: "image/png",
};

export const FILE_EXTENSIONS: Readonly<Record<OutputFormat, string>> = {
  jpeg: "jpg",
  webp: "webp",
  avif: "avif",
  png: "png",
};

/**
 * Encoder settings: sharp's defaults made explicit (the benchmark gives the
 * same JPEG quality to ImageMagick and vipsthumbnail), AVIF effort lowered to
 * keep the CPU per thumbnail bounded.
 */
export const JPEG_QUALITY = 80;
export const WEBP_QUALITY = 80;
export const AVIF_QUALITY = 50;
export const AVIF_EFFORT = 2;

/**
 * Environment the thumbnails function (and anything else that renders in a
 * long-lived process) should start with; the program sets it on the Lambda,
 * and the benchmarks and the local handler containers run with it. Both
 * settings bound memory that otherwise grows for hundreds of invocations and
 * reads as a leak in RSS:
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
 * line, which beats NODE_OPTIONS: the exec wrapper below drops it there so
 * NODE_OPTIONS' value holds (tests/local/lambda-bootstrap.test.ts reads the
 * young generation the process got).
 */
export const RUNTIME_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "1", NODE_OPTIONS: "--max-semi-space-size=8" };

/** The exec wrapper the build ships at the root of the thumbnails bundle, executable (handlers/shared/exec-wrapper). */
export const EXEC_WRAPPER_FILE = "node-options-wrapper";

/**
 * The thumbnails function's environment apart from the names of the
 * resources it uses: one object the program deploys and the local
 * containers start with (local/pipeline.ts), so both run the same settings.
 */
export const THUMBNAILS_ENVIRONMENT: Readonly<Record<string, string>> = {
  ...RUNTIME_ENV,
  // LAMBDA_TASK_ROOT is /var/task on Lambda; the wrapper makes RUNTIME_ENV's NODE_OPTIONS hold under the bootstrap.
  AWS_LAMBDA_EXEC_WRAPPER: `/var/task/${EXEC_WRAPPER_FILE}`,
  MAX_INPUT_BYTES: String(DEFAULT_LIMITS.maxInputBytes),
  MAX_INPUT_PIXELS: String(DEFAULT_LIMITS.maxInputPixels),
};

/** Thrown for configuration mistakes (not for image input): the message names the setting and the fix. */
export class ThumbnailConfigError extends Error {
  override name = "ThumbnailConfigError";
}

/** Parses THUMBNAIL_SIZES: `[{"name":"small","width":160},...]`. */
export function parseSizes(json: string, source = "THUMBNAIL_SIZES"): { name: string; width: number }[] {
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
    const { name, width } = (entry ?? {}) as { name?: unknown; width?: unknown };
    if (typeof name !== "string" || !/^[a-z][a-z0-9_]*$/.test(name)) {
      throw new ThumbnailConfigError(`${source}[${index}].name must be lower-case letters, digits or _ (it names a column suffix), got ${JSON.stringify(name)}`);
    }
    if (typeof width !== "number" || !Number.isInteger(width) || width < 1 || width > MAX_THUMBNAIL_WIDTH) {
      throw new ThumbnailConfigError(`${source}[${index}].width must be an integer from 1 to ${MAX_THUMBNAIL_WIDTH}, got ${JSON.stringify(width)}`);
    }
    if (names.has(name)) throw new ThumbnailConfigError(`${source} names "${name}" twice; size names must be unique`);
    names.add(name);
    return { name, width };
  });
}

/** Parses THUMBNAIL_FORMATS: `jpeg,webp` (the first is the primary). */
export function parseFormats(csv: string, source = "THUMBNAIL_FORMATS"): OutputFormat[] {
  const formats = csv
    .split(",")
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== "")
    .map((part) => (part === "jpg" ? "jpeg" : part));
  if (formats.length === 0) throw new ThumbnailConfigError(`${source} is empty; expected a comma list such as "jpeg,webp"`);
  for (const format of formats) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new ThumbnailConfigError(`${source} has unknown format "${format}"; allowed: ${OUTPUT_FORMATS.join(", ")}`);
    }
  }
  return [...new Set(formats)] as OutputFormat[];
}

/** Every size in every format: sizes x formats, primary format first. */
export function buildSpecs(sizes: readonly { name: string; width: number }[], formats: readonly OutputFormat[]): ThumbnailSpec[] {
  return formats.flatMap((format) => sizes.map((size) => ({ name: size.name, width: size.width, format })));
}

/** Reads the thumbnail settings from an environment, falling back to the defaults above. */
export function thumbnailConfigFromEnv(env: NodeJS.ProcessEnv = process.env): { specs: ThumbnailSpec[]; limits: ImageLimits } {
  const sizes = env.THUMBNAIL_SIZES ? parseSizes(env.THUMBNAIL_SIZES) : [...DEFAULT_SIZES];
  const formats = env.THUMBNAIL_FORMATS ? parseFormats(env.THUMBNAIL_FORMATS) : [...DEFAULT_FORMATS];
  return {
    specs: buildSpecs(sizes, formats),
    limits: {
      maxInputBytes: integer(env, "MAX_INPUT_BYTES", DEFAULT_LIMITS.maxInputBytes, { min: 1 }),
      // Lowered to what the function's memory admits (on Lambda; elsewhere there is no memory size and the cap stands).
      maxInputPixels: admittedPixels(
        env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE !== undefined ? Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) : undefined,
        integer(env, "MAX_INPUT_PIXELS", DEFAULT_LIMITS.maxInputPixels, { min: 1 }),
      ),
    },
  };
}
