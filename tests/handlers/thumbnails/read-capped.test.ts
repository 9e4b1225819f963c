// The byte cap on downloads when S3 gives no length up front: reading stops
// at the first chunk past the cap, and the stream is closed.
import { strict as assert } from "node:assert";
import { Readable } from "node:stream";
import { readCapped } from "../../../handlers/thumbnails/s3-objects";

function chunkSource(chunks: number, chunkBytes: number): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    highWaterMark: 1,
    read() {
      if (pulled === chunks) {
        this.push(null);
        return;
      }
      pulled += 1;
      this.push(Buffer.alloc(chunkBytes, pulled));
    },
  });
  return { stream, pulled: () => pulled };
}

describe("capped reads", () => {
  it("stops pulling as soon as the cap is passed and closes the stream", async () => {
    const source = chunkSource(1000, 1024);
    const result = await readCapped(source.stream, 10 * 1024);
    assert.deepEqual(result, { ok: false, readBytes: 11 * 1024 });
    assert.ok(source.pulled() < 20, `pulled ${source.pulled()} of 1000 chunks`);
    assert.ok(source.stream.destroyed);
  });

  it("returns every byte when within the cap, with or without a declared length", async () => {
    for (const declared of [undefined, 5 * 1024]) {
      const source = chunkSource(5, 1024);
      const result = await readCapped(source.stream, 5 * 1024, declared);
      assert.ok(result.ok);
      assert.equal(result.data.length, 5 * 1024);
      assert.equal(result.data[0], 1);
      assert.equal(result.data[5 * 1024 - 1], 5);
    }
  });

  it("refuses a body longer than it declared", async () => {
    const result = await readCapped(chunkSource(4, 1024).stream, 1024 * 1024, 2 * 1024);
    assert.equal(result.ok, false);
  });
});
