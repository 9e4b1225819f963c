// The contract between the thumbnail handler and the image core: bytes in,
// either every configured thumbnail or one rejection reason out.

import type { OutputFormat, ThumbnailSize } from "../../../contracts/thumbnails";

/** Output encodings the pipeline can write (contracts/thumbnails.ts). */
export type { OutputFormat };

/** Input formats the pipeline accepts, detected from the bytes, never from names or headers. */
export type InputFormat = "jpeg" | "png" | "webp" | "gif" | "avif" | "tiff";

/** One thumbnail to produce: `small` 160 px wide as JPEG, for example. */
export interface ThumbnailSpec extends ThumbnailSize {
  format: OutputFormat;
}

export interface ImageLimits {
  /** Objects larger than this are refused before decoding. */
  maxInputBytes: number;
  /** Width x height (per frame) above which decoding is refused. */
  maxInputPixels: number;
  /** Where maxInputPixels comes from, for a refusal's detail: the setting, or the memory that lowered it. MAX_INPUT_PIXELS when absent. */
  pixelCapOrigin?: string;
}

/** Why an input was refused. Permanent: retrying the same bytes gives the same answer. */
export type RejectReason = "empty" | "too-large" | "unsupported-format" | "corrupt" | "too-many-pixels";

export interface RenderedThumbnail {
  name: string;
  format: OutputFormat;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  data: Buffer;
}

export interface ImageTimings {
  decodeMs: number;
  resizeMs: number;
  encodeMs: number;
}

export type ImageOutcome =
  | {
      ok: true;
      inputFormat: InputFormat;
      inputWidth: number;
      inputHeight: number;
      outputs: RenderedThumbnail[];
      timings: ImageTimings;
    }
  | { ok: false; reason: RejectReason; detail: string };
