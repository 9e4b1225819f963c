// Hostile and damaged inputs: each must come back as a named rejection (or, for
// a long animation, as a bounded first-frame render), never as a throw.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { DEFAULT_LIMITS, DEFAULT_SPECS, renderThumbnails, type ImageOutcome } from "../../../../handlers/thumbnails/image";
import { animatedGif, colourAt, photoLike, pngBomb, pngDeclaringSize, svgWithExternalEntity } from "../../../support/images";

function rejectionOf(outcome: ImageOutcome): { reason: string; detail: string } {
  assert.equal(outcome.ok, false, `expected a rejection, got ${outcome.ok ? "ok" : ""}`);
  return outcome as { reason: string; detail: string };
}

describe("image core: hostile inputs", () => {
  let jpeg: Buffer;
  before(async () => {
    jpeg = await sharp(await photoLike(800, 600))
      .jpeg()
      .toBuffer();
  });

  it("refuses a zero-byte object as empty", async () => {
    assert.equal(rejectionOf(await renderThumbnails(Buffer.alloc(0), DEFAULT_SPECS, DEFAULT_LIMITS)).reason, "empty");
  });

  it("refuses a truncated JPEG as corrupt", async () => {
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    const rejection = rejectionOf(await renderThumbnails(truncated, DEFAULT_SPECS, DEFAULT_LIMITS));
    assert.equal(rejection.reason, "corrupt");
    assert.match(rejection.detail, /jpeg/i);
  });

  it("refuses a JPEG header followed by garbage as corrupt", async () => {
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x5a)]);
    assert.equal(rejectionOf(await renderThumbnails(garbage, DEFAULT_SPECS, DEFAULT_LIMITS)).reason, "corrupt");
  });

  it("refuses text (whatever it is named) as unsupported-format", async () => {
    const text = Buffer.from("this is not an image, even though the upload was called photo.jpg\n");
    assert.equal(rejectionOf(await renderThumbnails(text, DEFAULT_SPECS, DEFAULT_LIMITS)).reason, "unsupported-format");
  });

  it("refuses an SVG with an external entity without reading the entity's file", async function () {
    // The entity points at a FIFO: anything that tries to read it blocks in
    // open(), which a non-blocking writer can then detect.
    const dir = mkdtempSync(join(tmpdir(), "xxe-"));
    try {
      const fifo = join(dir, "secret");
      execFileSync("mkfifo", [fifo]);
      const outcome = await renderThumbnails(svgWithExternalEntity(fifo), DEFAULT_SPECS, DEFAULT_LIMITS);
      const rejection = rejectionOf(outcome);
      assert.equal(rejection.reason, "unsupported-format");
      assert.match(rejection.detail, /SVG/);
      // ENXIO: no process has the FIFO open for reading, so nobody tried to resolve the entity.
      assert.throws(() => closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)), { code: "ENXIO" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a PNG whose IHDR declares 100,000 x 100,000 pixels before decoding", async () => {
    const outcome = await renderThumbnails(pngDeclaringSize(100_000, 100_000), DEFAULT_SPECS, DEFAULT_LIMITS);
    const rejection = rejectionOf(outcome);
    assert.equal(rejection.reason, "too-many-pixels");
    assert.match(rejection.detail, /100000x100000/);
  });

  it("refuses a PNG decompression bomb (64 MP in a few kB) as too-many-pixels", async () => {
    const bomb = pngBomb(8000, 8000);
    assert.ok(bomb.length < 64 * 1024, `bomb is ${bomb.length} bytes`);
    assert.equal((await sharp(bomb).metadata()).width, 8000, "the bomb is a PNG the decoder accepts");
    const rejection = rejectionOf(await renderThumbnails(bomb, DEFAULT_SPECS, DEFAULT_LIMITS));
    assert.equal(rejection.reason, "too-many-pixels");
  });

  it("applies a configured pixel cap lower than the default", async () => {
    const limits = { ...DEFAULT_LIMITS, maxInputPixels: 800 * 600 - 1 };
    assert.equal(rejectionOf(await renderThumbnails(jpeg, DEFAULT_SPECS, limits)).reason, "too-many-pixels");
    assert.equal((await renderThumbnails(jpeg, DEFAULT_SPECS, { ...limits, maxInputPixels: 800 * 600 })).ok, true);
  });

  it("refuses an object over the byte cap as too-large", async () => {
    const rejection = rejectionOf(await renderThumbnails(jpeg, DEFAULT_SPECS, { ...DEFAULT_LIMITS, maxInputBytes: jpeg.length - 1 }));
    assert.equal(rejection.reason, "too-large");
  });

  it("renders only the first frame of a 3,000-frame GIF", async () => {
    const gif = await animatedGif(3000, 48);
    assert.equal((await sharp(gif).metadata()).pages, 3000);
    const before = process.cpuUsage();
    const outcome = await renderThumbnails(gif, DEFAULT_SPECS, DEFAULT_LIMITS);
    const cpu = process.cpuUsage(before);
    assert.ok(outcome.ok);
    for (const output of outcome.outputs) {
      assert.deepEqual([output.width, output.height], [48, 48]);
      const [r, g, b] = await colourAt(output.data, 24, 24);
      assert.ok(r > 200 && g < 60 && b < 60, `first frame is red, got ${[r, g, b]}`);
    }
    // Not a timing target: decoding all 3,000 frames would cost far more than this.
    assert.ok(cpu.user + cpu.system < 2_000_000, `bounded work, used ${cpu.user + cpu.system} us CPU`);
  });
});
