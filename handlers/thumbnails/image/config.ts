// The image core's settings: the thumbnail rules and defaults are the
// contracts' (contracts/thumbnails.ts), read from THUMBNAIL_SIZES,
// THUMBNAIL_FORMATS, MAX_INPUT_BYTES and MAX_INPUT_PIXELS by the handler,
// the canary and `pipectl process`; encoder settings are the core's own.
import { DEFAULT_FORMATS, DEFAULT_IMAGE_LIMITS, DEFAULT_SIZES, IMAGE_ENVIRONMENT, THUMBNAIL_WIDTH, readEnvironment } from "../../../contracts";
import type { ImageLimits, OutputFormat, ThumbnailSpec } from "./types";

export { DEFAULT_FORMATS, DEFAULT_SIZES, OUTPUT_FORMATS, RUNTIME_ENV, ThumbnailConfigError, parseFormats, parseSizes } from "../../../contracts";

export const DEFAULT_SPECS: readonly ThumbnailSpec[] = buildSpecs(DEFAULT_SIZES, DEFAULT_FORMATS);

export const DEFAULT_LIMITS: Readonly<ImageLimits> = DEFAULT_IMAGE_LIMITS;

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

/** Reads the thumbnail settings from an environment, falling back to the defaults. */
export function thumbnailConfigFromEnv(env: NodeJS.ProcessEnv = process.env): { specs: ThumbnailSpec[]; limits: ImageLimits } {
  const e = readEnvironment(IMAGE_ENVIRONMENT, env);
  return { specs: buildSpecs(e.sizes, e.formats), limits: { maxInputBytes: e.maxInputBytes, maxInputPixels: e.maxInputPixels } };
}
