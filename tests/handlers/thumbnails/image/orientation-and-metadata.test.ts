// Phone photos: stored sideways with an EXIF orientation and GPS coordinates.
// Thumbnails must come out upright and carry no metadata at all.
import { strict as assert } from "node:assert";
import sharp from "sharp";
import { DEFAULT_LIMITS, renderThumbnails, type ThumbnailSpec } from "../../../../handlers/thumbnails/image";
import { colourAt, exifHasGpsPointer, jpegWithGps, orientedJpeg } from "../../../support/images";

const UPRIGHT_WIDTH = 240;
const UPRIGHT_HEIGHT = 120;
const SPECS: ThumbnailSpec[] = [
  { name: "small", width: 80, format: "jpeg" },
  { name: "medium", width: 160, format: "webp" },
];

function isRed([r, g, b]: [number, number, number]): boolean {
  return r > 170 && g < 80 && b < 80;
}

describe("image core: EXIF orientation and metadata", () => {
  for (let orientation = 1; orientation <= 8; orientation++) {
    it(`turns EXIF orientation ${orientation} upright`, async () => {
      const input = await orientedJpeg(orientation, UPRIGHT_WIDTH, UPRIGHT_HEIGHT);
      const stored = await sharp(input).metadata();
      assert.equal(stored.orientation, orientation);
      assert.equal(stored.width, orientation >= 5 ? UPRIGHT_HEIGHT : UPRIGHT_WIDTH, "stored sideways when the tag says so");

      const outcome = await renderThumbnails(input, SPECS, DEFAULT_LIMITS);
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.deepEqual([outcome.inputWidth, outcome.inputHeight], [UPRIGHT_WIDTH, UPRIGHT_HEIGHT]);
      assert.deepEqual(
        outcome.outputs.map((o) => o.name),
        SPECS.map((spec) => spec.name),
      );
      for (const [index, output] of outcome.outputs.entries()) {
        // The spec's width, and the upright picture's 2:1 proportions: a sideways one would be 1:2.
        const width = SPECS[index].width;
        assert.deepEqual([output.width, output.height], [width, Math.round((UPRIGHT_HEIGHT * width) / UPRIGHT_WIDTH)], `${output.name} size`);
        assert.deepEqual(
          [(await sharp(output.data).metadata()).width, (await sharp(output.data).metadata()).height],
          [output.width, output.height],
          `${output.name}: the bytes are that size`,
        );
        assert.ok(output.width > output.height, `${output.name} is landscape`);
        const meta = await sharp(output.data).metadata();
        assert.equal(meta.orientation, undefined, "no orientation tag left for a viewer to apply twice");
        // The marker sits in the top-left quadrant of the upright picture, and only there.
        const quarter = (fx: number, fy: number) => colourAt(output.data, Math.round(output.width * fx), Math.round(output.height * fy));
        assert.ok(isRed(await quarter(0.3, 0.3)), `${output.name}: marker top-left, got ${await quarter(0.3, 0.3)}`);
        for (const [fx, fy] of [
          [0.75, 0.3],
          [0.3, 0.75],
          [0.75, 0.75],
        ]) {
          assert.ok(!isRed(await quarter(fx, fy)), `${output.name}: no marker at (${fx}, ${fy})`);
        }
      }
    });
  }

  it("strips EXIF with GPS from every output", async () => {
    const input = await jpegWithGps();
    const inputMeta = await sharp(input).metadata();
    assert.ok(inputMeta.exif && exifHasGpsPointer(inputMeta.exif), "the input really carries a GPS IFD");

    const outcome = await renderThumbnails(
      input,
      [...SPECS, { name: "large", width: 320, format: "png" }, { name: "tiny", width: 40, format: "avif" }],
      DEFAULT_LIMITS,
    );
    assert.ok(outcome.ok, JSON.stringify(outcome));
    for (const output of outcome.outputs) {
      const meta = await sharp(output.data).metadata();
      assert.equal(meta.exif, undefined, `${output.name}.${output.format} has EXIF`);
      assert.equal(meta.xmp, undefined, `${output.name}.${output.format} has XMP`);
      assert.equal(meta.iptc, undefined, `${output.name}.${output.format} has IPTC`);
      assert.ok(!output.data.includes(Buffer.from("TestCam")), `${output.name}.${output.format} still names the camera`);
    }
  });
});
