// The image core: bytes in, every configured thumbnail (or one rejection reason) out.
// Used by the thumbnails handler, the canary and `pipectl process`.
export { renderThumbnails } from "./render";
export { detectFormat } from "./detect-format";
export type { DetectedFormat } from "./detect-format";
export {
  CONTENT_TYPES,
  DEFAULT_FORMATS,
  DEFAULT_LIMITS,
  DEFAULT_SIZES,
  DEFAULT_SPECS,
  FILE_EXTENSIONS,
  JPEG_QUALITY,
  OUTPUT_FORMATS,
  RUNTIME_ENV,
  admittedPixels,
  THUMBNAILS_ENVIRONMENT,
  EXEC_WRAPPER_FILE,
  ThumbnailConfigError,
  buildSpecs,
  parseFormats,
  parseSizes,
  thumbnailConfigFromEnv,
} from "./config";
export type * from "./types";
