// The release step between records: a full collection only when the process
// holds more than its share of the function's memory, and only where node
// exposes gc (Lambda's bootstrap passes --expose-gc).
import { strict as assert } from "node:assert";
import { COLLECT_ABOVE_MEMORY_SHARE, decideCollect, releaseBetweenRecords } from "../../../handlers/thumbnails/memory";

const MiB = 1024 * 1024;

describe("thumbnails: memory released between records", () => {
  it("collects above the share of the function's memory, not below, and never without a memory size", () => {
    const limit = COLLECT_ABOVE_MEMORY_SHARE * 128;
    assert.equal(decideCollect((limit + 1) * MiB, 128), true, "a 128 MB function holding more than its share");
    assert.equal(decideCollect((limit - 1) * MiB, 128), false);
    assert.equal(decideCollect(110 * MiB, 512), false, "the deployed 512 MB never pays for it at its usual 110 MiB");
    assert.equal(decideCollect(500 * MiB, undefined), false, "no memory size (pipectl, tests): nothing to hold to");
    assert.equal(decideCollect(500 * MiB, Number.NaN), false);
  });

  it("calls gc when the decision says so, and is a no-op where gc is not exposed", () => {
    let collections = 0;
    let rss = 100 * MiB;
    const release = releaseBetweenRecords(
      128,
      () => rss,
      () => collections++,
    );
    release();
    assert.equal(collections, 1);
    rss = 50 * MiB;
    release();
    assert.equal(collections, 1, "below the share: no collection");
    assert.doesNotThrow(() => releaseBetweenRecords(128, () => rss, undefined)());
  });
});
