// The image core's settings: the thumbnail rules and defaults are the
// contracts' (contracts/thumbnails.ts), read from THUMBNAIL_SIZES,
// THUMBNAIL_FORMATS, MAX_INPUT_BYTES and MAX_INPUT_PIXELS by the handler,
// the canary and `pipectl process`; encoder settings are the core's own.
import { DEFAULT_FORMATS, DEFAULT_IMAGE_LIMITS, DEFAULT_SIZES, IMAGE_ENVIRONMENT, THUMBNAIL_WIDTH, readEnvironment } from "../../../contracts";
import type { ImageLimits, OutputFormat, ThumbnailSpec } from "./types";

export {
  DEFAULT_FORMATS,
  DEFAULT_SIZES,
  EXEC_WRAPPER_FILE,
  OUTPUT_FORMATS,
  RUNTIME_ENV,
  THUMBNAILS_ENVIRONMENT,
  ThumbnailConfigError,
  parseFormats,
  parseSizes,
} from "../../../contracts";

export const DEFAULT_SPECS: readonly ThumbnailSpec[] = buildSpecs(DEFAULT_SIZES, DEFAULT_FORMATS);

export const DEFAULT_LIMITS: Readonly<ImageLimits> = DEFAULT_IMAGE_LIMITS;

/**
 * The memory a container holds before any image (runtime, SDK clients, the
 * database pool, sharp and libvips loaded), and what each decoded megapixel
 * adds at its peak, both measured as peak RSS (VmHWM) under the bootstrap's
 * flags by `npm run bench:memory` (docs/operations.md): idle 85-93 MiB; a
 * batch of five JPEGs peaked at 100-104 MiB from 24 to 29.2 MP with memory
 * released between records (../memory.ts), 123.7 MiB at 40 MP before it
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
export const MAX_THUMBNAIL_WIDTH = THUMBNAIL_WIDTH.max;

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

/** Every size in every format: sizes x formats, primary format first. */
export function buildSpecs(sizes: readonly { name: string; width: number }[], formats: readonly OutputFormat[]): ThumbnailSpec[] {
  return formats.flatMap((format) => sizes.map((size) => ({ name: size.name, width: size.width, format })));
}

/** The function's memory size as Lambda reports it (AWS_LAMBDA_FUNCTION_MEMORY_SIZE); undefined outside Lambda. */
export function functionMemoryMb(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE !== undefined ? Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) : undefined;
}

/** Reads the thumbnail settings from an environment, falling back to the defaults. */
export function thumbnailConfigFromEnv(env: NodeJS.ProcessEnv = process.env): { specs: ThumbnailSpec[]; limits: ImageLimits } {
  const e = readEnvironment(IMAGE_ENVIRONMENT, env);
  // Lowered to what the function's memory admits (on Lambda; elsewhere there is no memory size and the cap stands).
  const memoryMb = functionMemoryMb(env);
  const maxInputPixels = admittedPixels(memoryMb, e.maxInputPixels);
  // A refusal under a lowered cap says so, and what admits the image: more memory, not a higher MAX_INPUT_PIXELS.
  const pixelCapOrigin =
    maxInputPixels < e.maxInputPixels
      ? `MAX_INPUT_PIXELS ${e.maxInputPixels}, lowered to what the function's ${memoryMb} MB of memory admits; a larger memory size admits more`
      : undefined;
  return { specs: buildSpecs(e.sizes, e.formats), limits: { maxInputBytes: e.maxInputBytes, maxInputPixels, ...(pixelCapOrigin ? { pixelCapOrigin } : {}) } };
}
