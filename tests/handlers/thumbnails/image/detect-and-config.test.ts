// Pure decisions of the image core: magic bytes, caps, configuration parsing.
import { strict as assert } from "node:assert";
import {
  DEFAULT_LIMITS,
  DEFAULT_SPECS,
  ThumbnailConfigError,
  detectFormat,
  parseFormats,
  parseSizes,
  thumbnailConfigFromEnv,
} from "../../../../handlers/thumbnails/image";
import { checkBytes, checkHeader, classifyDecoderError } from "../../../../handlers/thumbnails/image/validate";

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))));

function ftyp(major: string, ...compatible: string[]): Buffer {
  const box = bytes([0, 0, 0, 16 + 4 * compatible.length], "ftyp", major, [0, 0, 0, 0], ...compatible);
  return Buffer.concat([box, Buffer.alloc(32)]);
}

describe("image core: format detection", () => {
  const cases: [string, Buffer, ReturnType<typeof detectFormat>][] = [
    ["JPEG SOI", bytes([0xff, 0xd8, 0xff, 0xe1], "....Exif"), "jpeg"],
    ["PNG signature", bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a], "....IHDR"), "png"],
    ["GIF87a", bytes("GIF87a...."), "gif"],
    ["GIF89a", bytes("GIF89a...."), "gif"],
    ["WebP RIFF", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "), "webp"],
    ["RIFF that is WAVE audio", bytes("RIFF", [0x24, 0, 0, 0], "WAVEfmt "), undefined],
    ["AVIF major brand", ftyp("avif", "mif1", "miaf"), "avif"],
    ["AVIF compatible brand", ftyp("mif1", "avif"), "avif"],
    ["AVIF sequence", ftyp("avis", "msf1"), "avif"],
    ["HEIC (not AVIF)", ftyp("heic", "mif1", "heic"), undefined],
    ["MP4 video", ftyp("isom", "iso2", "mp41"), undefined],
    ["TIFF little-endian", bytes([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), "tiff"],
    ["TIFF big-endian", bytes([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]), "tiff"],
    ["BigTIFF", bytes([0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0]), "tiff"],
    ["SVG with XML declaration", bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'), "svg"],
    ["SVG with BOM and whitespace", bytes([0xef, 0xbb, 0xbf], "  \n<svg width='1'/>"), "svg"],
    ["SVG after a DOCTYPE", bytes('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg/>'), "svg"],
    ["HTML", bytes("<!doctype html><html><body>hi</body></html>"), undefined],
    ["plain text", bytes("hello, I am photo.jpg"), undefined],
    ["PDF", bytes("%PDF-1.7\n"), undefined],
    ["empty", Buffer.alloc(0), undefined],
    ["two bytes of a JPEG", bytes([0xff, 0xd8]), undefined],
  ];
  for (const [label, input, expected] of cases) {
    it(`${label} -> ${expected ?? "unknown"}`, () => assert.equal(detectFormat(input), expected));
  }
});

describe("image core: caps before decoding", () => {
  it("orders the byte checks: empty, too large, then format", () => {
    assert.equal(checkBytes(0, undefined, DEFAULT_LIMITS)?.reason, "empty");
    assert.equal(checkBytes(DEFAULT_LIMITS.maxInputBytes + 1, "jpeg", DEFAULT_LIMITS)?.reason, "too-large");
    assert.equal(checkBytes(DEFAULT_LIMITS.maxInputBytes, "jpeg", DEFAULT_LIMITS), undefined);
    assert.equal(checkBytes(10, "svg", DEFAULT_LIMITS)?.reason, "unsupported-format");
    assert.equal(checkBytes(10, undefined, DEFAULT_LIMITS)?.reason, "unsupported-format");
  });

  it("caps the pixels of one frame, at the limit inclusive", () => {
    const limits = { ...DEFAULT_LIMITS, maxInputPixels: 100 };
    assert.equal(checkHeader("png", { decoder: "png", width: 10, frameHeight: 10 }, limits), undefined);
    assert.equal(checkHeader("png", { decoder: "png", width: 10, frameHeight: 11 }, limits)?.reason, "too-many-pixels");
    assert.equal(checkHeader("png", { decoder: "png", width: 0, frameHeight: 11 }, limits)?.reason, "corrupt");
  });

  it("refuses bytes the decoder reads as another format", () => {
    assert.equal(checkHeader("avif", { decoder: "heif", width: 10, frameHeight: 10 }, DEFAULT_LIMITS), undefined);
    assert.equal(checkHeader("jpeg", { decoder: "svg", width: 10, frameHeight: 10 }, DEFAULT_LIMITS)?.reason, "corrupt");
  });

  it("maps libvips messages to reasons", () => {
    assert.equal(classifyDecoderError(new Error("Input image exceeds pixel limit")).reason, "too-many-pixels");
    assert.equal(classifyDecoderError(new Error("Input buffer contains unsupported image format")).reason, "unsupported-format");
    const corrupt = classifyDecoderError(new Error("VipsJpeg: premature end of JPEG image\nvips2jpeg: load failed"));
    assert.deepEqual([corrupt.reason, corrupt.detail], ["corrupt", "VipsJpeg: premature end of JPEG image; vips2jpeg: load failed"]);
  });
});

describe("image core: configuration", () => {
  it("defaults to small 160 and medium 320 as JPEG then WebP, with 50 MiB and 40 MP caps", () => {
    assert.deepEqual(thumbnailConfigFromEnv({}), {
      specs: [...DEFAULT_SPECS],
      limits: { maxInputBytes: 52_428_800, maxInputPixels: 40_000_000 },
    });
    assert.deepEqual(DEFAULT_SPECS, [
      { name: "small", width: 160, format: "jpeg" },
      { name: "medium", width: 320, format: "jpeg" },
      { name: "small", width: 160, format: "webp" },
      { name: "medium", width: 320, format: "webp" },
    ]);
  });

  it("builds sizes x formats from the environment, primary format first", () => {
    const config = thumbnailConfigFromEnv({
      THUMBNAIL_SIZES: '[{"name":"small","width":100},{"name":"large","width":800}]',
      THUMBNAIL_FORMATS: "webp, jpg",
      MAX_INPUT_BYTES: "1000",
      MAX_INPUT_PIXELS: "2000",
    });
    assert.deepEqual(
      config.specs.map((s) => `${s.name}:${s.width}:${s.format}`),
      ["small:100:webp", "large:800:webp", "small:100:jpeg", "large:800:jpeg"],
    );
    assert.deepEqual(config.limits, { maxInputBytes: 1000, maxInputPixels: 2000 });
  });

  it("names the setting and the fix when configuration is wrong", () => {
    assert.throws(() => parseSizes("{"), /THUMBNAIL_SIZES is not valid JSON/);
    assert.throws(() => parseSizes("[]"), /non-empty JSON array/);
    assert.throws(() => parseSizes('[{"name":"small","width":0}]'), /width must be an integer from 16 to 4096 pixels, got 0/);
    assert.throws(() => parseSizes('[{"name":"Small Size","width":10}]'), /name must be lower-case/);
    assert.throws(() => parseSizes('[{"name":"a","width":100},{"name":"a","width":200}]'), /names "a" twice/);
    assert.throws(() => parseFormats("jpeg,bmp"), ThumbnailConfigError);
    assert.throws(() => parseFormats(" , "), /THUMBNAIL_FORMATS is empty/);
    assert.throws(() => thumbnailConfigFromEnv({ MAX_INPUT_PIXELS: "lots" }), /MAX_INPUT_PIXELS is "lots"; expected a whole number from 1 to/);
    assert.throws(() => thumbnailConfigFromEnv({ MAX_INPUT_BYTES: "0" }), /MAX_INPUT_BYTES is "0"; expected a whole number from 1 to/);
  });
});
