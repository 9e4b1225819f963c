// Accepted formats, colour handling and output geometry.
import { strict as assert } from "node:assert";
import sharp from "sharp";
import { buildSpecs, DEFAULT_LIMITS, DEFAULT_SIZES, renderThumbnails, type ThumbnailSpec } from "../../../../handlers/thumbnails/image";
import { colourAt, photoLike } from "../../../support/images";

/** The default sizes, as JPEG only: these tests are about decoding and colour, one output format is enough. */
const JPEG_SPECS = buildSpecs(DEFAULT_SIZES, ["jpeg"]);

describe("image core: formats and colour", () => {
  let photo: Buffer;
  before(async () => {
    photo = await photoLike(640, 480);
  });

  const encoders: [string, (image: sharp.Sharp) => sharp.Sharp][] = [
    ["jpeg", (image) => image.jpeg()],
    ["png", (image) => image.png()],
    ["webp", (image) => image.webp()],
    ["gif", (image) => image.gif({ effort: 1, dither: 0 })],
    ["avif", (image) => image.avif({ effort: 0 })],
    ["tiff", (image) => image.tiff()],
  ];
  for (const [format, encodeWith] of encoders) {
    it(`accepts ${format} and writes the default sizes as JPEG`, async () => {
      const input = await encodeWith(sharp(photo)).toBuffer();
      const outcome = await renderThumbnails(input, JPEG_SPECS, DEFAULT_LIMITS);
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.equal(outcome.inputFormat, format);
      assert.deepEqual(
        outcome.outputs.map((o) => [o.name, o.width, o.height, o.format, o.contentType]),
        [
          ["small", 160, 120, "jpeg", "image/jpeg"],
          ["medium", 320, 240, "jpeg", "image/jpeg"],
        ],
      );
      for (const output of outcome.outputs) {
        const meta = await sharp(output.data).metadata();
        assert.deepEqual([meta.format, meta.width, meta.height, output.bytes], ["jpeg", output.width, output.height, output.data.length]);
      }
    });
  }

  it("writes every size in every configured format with the right content type", async () => {
    const specs: ThumbnailSpec[] = ["jpeg", "webp", "avif", "png"].flatMap((format) =>
      [
        { name: "small", width: 160 },
        { name: "medium", width: 320 },
      ].map((size) => ({ ...size, format: format as ThumbnailSpec["format"] })),
    );
    const outcome = await renderThumbnails(await sharp(photo).jpeg().toBuffer(), specs, DEFAULT_LIMITS);
    assert.ok(outcome.ok);
    const expectedDecoder = { jpeg: "jpeg", webp: "webp", avif: "heif", png: "png" } as const;
    const expectedType = { jpeg: "image/jpeg", webp: "image/webp", avif: "image/avif", png: "image/png" } as const;
    assert.equal(outcome.outputs.length, 8);
    for (const [index, output] of outcome.outputs.entries()) {
      assert.deepEqual([output.name, output.format], [specs[index].name, specs[index].format]);
      const meta = await sharp(output.data).metadata();
      assert.equal(meta.format, expectedDecoder[output.format]);
      assert.equal(output.contentType, expectedType[output.format]);
      assert.equal(meta.width, specs[index].width);
    }
  });

  it("never upscales an input smaller than the sizes", async () => {
    const tiny = await sharp(photo).resize(100, 75).png().toBuffer();
    const outcome = await renderThumbnails(tiny, JPEG_SPECS, DEFAULT_LIMITS);
    assert.ok(outcome.ok);
    assert.deepEqual(
      outcome.outputs.map((o) => [o.width, o.height]),
      [
        [100, 75],
        [100, 75],
      ],
    );
  });

  it("turns a CMYK JPEG into sRGB output with the same colours", async () => {
    const orange = { r: 230, g: 120, b: 30 };
    const cmyk = await sharp({ create: { width: 400, height: 300, channels: 3, background: orange } })
      .toColourspace("cmyk")
      .jpeg()
      .toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, "cmyk");
    const outcome = await renderThumbnails(cmyk, JPEG_SPECS, DEFAULT_LIMITS);
    assert.ok(outcome.ok);
    for (const output of outcome.outputs) {
      const meta = await sharp(output.data).metadata();
      assert.deepEqual([meta.space, meta.channels], ["srgb", 3]);
      const [r, g, b] = await colourAt(output.data, 40, 40);
      assert.ok(Math.abs(r - orange.r) < 30 && Math.abs(g - orange.g) < 30 && Math.abs(b - orange.b) < 30, `still orange: ${[r, g, b]}`);
    }
  });

  it("turns a 16-bit PNG into 8-bit output without clipping", async () => {
    const grey16 = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 100, g: 100, b: 100 } } })
      .toColourspace("rgb16")
      .png()
      .toBuffer();
    assert.equal((await sharp(grey16).metadata()).depth, "ushort");
    const outcome = await renderThumbnails(grey16, [{ name: "small", width: 160, format: "png" }], DEFAULT_LIMITS);
    assert.ok(outcome.ok);
    const meta = await sharp(outcome.outputs[0].data).metadata();
    assert.deepEqual([meta.depth, meta.bitsPerSample], ["uchar", 8]);
    const [r] = await colourAt(outcome.outputs[0].data, 80, 60);
    assert.ok(Math.abs(r - 100) <= 2, `mid grey stays mid grey, got ${r}`);
  });

  it("keeps alpha for PNG/WebP and flattens it onto white for JPEG", async () => {
    const transparent = await sharp({ create: { width: 400, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const outcome = await renderThumbnails(
      transparent,
      [
        { name: "a", width: 160, format: "jpeg" },
        { name: "a", width: 160, format: "webp" },
        { name: "a", width: 160, format: "png" },
      ],
      DEFAULT_LIMITS,
    );
    assert.ok(outcome.ok);
    const [jpeg, webp, png] = outcome.outputs;
    assert.deepEqual(await colourAt(jpeg.data, 80, 60), [255, 255, 255]);
    assert.equal((await sharp(webp.data).metadata()).hasAlpha, true);
    assert.equal((await sharp(png.data).stats()).isOpaque, false);
  });

  it("detects a JPEG from its bytes, not from a name or declared type", async () => {
    const outcome = await renderThumbnails(await sharp(photo).jpeg().toBuffer(), JPEG_SPECS, DEFAULT_LIMITS);
    assert.ok(outcome.ok);
    assert.equal(outcome.inputFormat, "jpeg");
  });
});
