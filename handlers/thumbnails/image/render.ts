// The render pipeline: one header read, one decode (shrunk on load to the
// largest width any spec needs, oriented, sRGB, 8-bit), then every spec is
// derived from that small raw buffer. Bad input always becomes a rejection.
import { performance } from "node:perf_hooks";
import type { Sharp, SharpOptions } from "sharp";
import { AVIF_EFFORT, AVIF_QUALITY, CONTENT_TYPES, JPEG_QUALITY, WEBP_QUALITY } from "./config";
import { detectFormat } from "./detect-format";
import { sharp } from "./sharp-setup";
import type { ImageLimits, ImageOutcome, InputFormat, OutputFormat, RenderedThumbnail, ThumbnailSpec } from "./types";
import { checkBytes, checkHeader, classifyDecoderError } from "./validate";

/** Options for every read of untrusted bytes. */
function decodeOptions(limits: ImageLimits): SharpOptions {
  return {
    // libvips' own cap, in addition to the header check: it holds even if a
    // loader reports dimensions the header check did not see.
    limitInputPixels: limits.maxInputPixels,
    // Stream rows top to bottom so the full-size frame is never held in memory
    // (libvips switches to random access itself when an operation needs it).
    sequentialRead: true,
    // A damaged upload is refused rather than published as a half-grey thumbnail.
    failOn: "warning",
    // First frame/page only: a 10,000-frame GIF costs one frame of decoding.
    page: 0,
    pages: 1,
  };
}

interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

function fromRaw(image: RawImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

function encode(pipeline: Sharp, format: OutputFormat, hasAlpha: boolean): Sharp {
  switch (format) {
    case "jpeg":
      // JPEG has no alpha: flatten onto white (libvips would otherwise drop alpha onto black).
      return (hasAlpha ? pipeline.flatten({ background: "#ffffff" }) : pipeline).jpeg({ quality: JPEG_QUALITY });
    case "webp":
      return pipeline.webp({ quality: WEBP_QUALITY });
    case "avif":
      return pipeline.avif({ quality: AVIF_QUALITY, effort: AVIF_EFFORT });
    case "png":
      return pipeline.png();
  }
}

async function toRaw(pipeline: Sharp): Promise<RawImage> {
  const { data, info } = await pipeline.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function assertSpecs(specs: readonly ThumbnailSpec[]): void {
  if (specs.length === 0) throw new TypeError("renderThumbnails needs at least one ThumbnailSpec");
  for (const spec of specs) {
    if (!Number.isInteger(spec.width) || spec.width < 1) {
      throw new TypeError(`ThumbnailSpec "${spec.name}" has width ${spec.width}; it must be a positive integer`);
    }
    if (!(spec.format in CONTENT_TYPES)) throw new TypeError(`ThumbnailSpec "${spec.name}" has unknown format "${spec.format}"`);
  }
}

/**
 * Makes every spec from one decode of `input`. Never throws for bad input:
 * any problem with the bytes comes back as `{ ok: false, reason, detail }`.
 * Throws only for programming errors in `specs` (empty, non-integer width).
 */
export async function renderThumbnails(input: Buffer, specs: readonly ThumbnailSpec[], limits: ImageLimits): Promise<ImageOutcome> {
  assertSpecs(specs);
  const detected = detectFormat(input);
  const refused = checkBytes(input.length, detected, limits);
  if (refused) return refused;
  const format = detected as InputFormat;

  try {
    const decodeStart = performance.now();
    // Header only: metadata() reads dimensions without decoding pixels. The
    // libvips cap is lifted for this read so that our own check answers, with
    // the declared size in the detail; it stays on for the decode below.
    const meta = await sharp(input, { ...decodeOptions(limits), limitInputPixels: false }).metadata();
    const headerRejection = checkHeader(format, { decoder: meta.format, width: meta.width, frameHeight: meta.pageHeight ?? meta.height }, limits);
    if (headerRejection) return headerRejection;

    // The one decode. Shrink-on-load (JPEG DCT scaling, WebP/TIFF/AVIF
    // subsampled loads) makes a 24 MP JPEG decode at about the size we need.
    const largestWidth = Math.min(Math.max(...specs.map((spec) => spec.width)), meta.autoOrient.width);
    const base = await toRaw(
      sharp(input, { ...decodeOptions(limits), autoOrient: true })
        .resize({ width: largestWidth, withoutEnlargement: true })
        // CMYK, greyscale, 16-bit and tagged profiles all end as 8-bit sRGB.
        .toColourspace("srgb"),
    );
    const decodeMs = performance.now() - decodeStart;

    let resizeMs = 0;
    let encodeMs = 0;
    const resizedByWidth = new Map<number, RawImage>();
    const outputs: RenderedThumbnail[] = [];
    for (const spec of specs) {
      const width = Math.min(spec.width, base.width);
      let resized = resizedByWidth.get(width);
      if (!resized) {
        const resizeStart = performance.now();
        resized = width === base.width ? base : await toRaw(fromRaw(base).resize({ width }));
        resizeMs += performance.now() - resizeStart;
        resizedByWidth.set(width, resized);
      }
      const encodeStart = performance.now();
      const { data, info } = await encode(fromRaw(resized), spec.format, resized.channels === 2 || resized.channels === 4).toBuffer({
        resolveWithObject: true,
      });
      encodeMs += performance.now() - encodeStart;
      outputs.push({
        name: spec.name,
        format: spec.format,
        contentType: CONTENT_TYPES[spec.format],
        width: info.width,
        height: info.height,
        bytes: data.length,
        data,
      });
    }

    return {
      ok: true,
      inputFormat: format,
      inputWidth: meta.autoOrient.width,
      inputHeight: meta.autoOrient.height,
      outputs,
      timings: { decodeMs, resizeMs, encodeMs },
    };
  } catch (err) {
    return classifyDecoderError(err);
  }
}
