// Pure checks that decide, before any pixel is decoded, whether an input may be
// decoded at all. Each returns a rejection or undefined.
import type { DetectedFormat } from "./detect-format";
import type { ImageLimits, InputFormat, RejectReason } from "./types";

export interface Rejection {
  ok: false;
  reason: RejectReason;
  detail: string;
}

function reject(reason: RejectReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}

/** Size cap and format allow-list: answered from the byte count and magic bytes alone. */
export function checkBytes(byteLength: number, detected: DetectedFormat | undefined, limits: ImageLimits): Rejection | undefined {
  if (byteLength === 0) return reject("empty", "the object has no bytes");
  if (byteLength > limits.maxInputBytes) {
    return reject("too-large", `${byteLength} bytes is over the ${limits.maxInputBytes}-byte input cap (MAX_INPUT_BYTES)`);
  }
  if (detected === "svg") {
    return reject("unsupported-format", "SVG is refused: vector/XML input is never rendered (allowed: JPEG, PNG, WebP, GIF, AVIF, TIFF)");
  }
  if (detected === undefined) {
    return reject("unsupported-format", "the bytes are not JPEG, PNG, WebP, GIF, AVIF or TIFF");
  }
  return undefined;
}

/** What the image header declares, as read by the decoder without decoding pixels. */
export interface HeaderFacts {
  /** Decoder name as libvips reports it (`heif` for AVIF). */
  decoder: string;
  width: number;
  /** Height of one frame (the first frame is all we decode). */
  frameHeight: number;
}

const DECODER_FOR: Readonly<Record<InputFormat, string>> = {
  jpeg: "jpeg",
  png: "png",
  webp: "webp",
  gif: "gif",
  avif: "heif",
  tiff: "tiff",
};

/**
 * Pixel cap from the header, before the decode. A PNG can declare 100,000 x
 * 100,000 in 30 bytes of IHDR; the answer must come from that declaration, not
 * from trying.
 */
export function checkHeader(format: InputFormat, header: HeaderFacts, limits: ImageLimits): Rejection | undefined {
  if (header.decoder !== DECODER_FOR[format]) {
    return reject("corrupt", `the bytes start like ${format} but the decoder reads them as ${header.decoder}`);
  }
  if (!(header.width > 0 && header.frameHeight > 0)) {
    return reject("corrupt", `the header declares an empty image (${header.width}x${header.frameHeight})`);
  }
  const pixels = header.width * header.frameHeight;
  if (pixels > limits.maxInputPixels) {
    return reject(
      "too-many-pixels",
      `${header.width}x${header.frameHeight} = ${pixels} pixels is over the ${limits.maxInputPixels}-pixel cap (${limits.pixelCapOrigin ?? "MAX_INPUT_PIXELS"})`,
    );
  }
  return undefined;
}

/**
 * libvips reports failures as free text; map the ones we can name and call
 * everything else corrupt (the format was already recognised by its magic
 * bytes, so a decoder failure means the bytes are damaged).
 */
export function classifyDecoderError(err: unknown): Rejection {
  const message = err instanceof Error ? err.message : String(err);
  const detail =
    message
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .join("; ")
      .slice(0, 300) || "decoder failed";
  if (/exceeds pixel limit/i.test(message)) return reject("too-many-pixels", detail);
  if (/unsupported image format/i.test(message)) return reject("unsupported-format", detail);
  return reject("corrupt", detail);
}
