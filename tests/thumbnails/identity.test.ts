// Transaction ids and thumbnail keys: stable per upload, distinct across uploads.
import { strict as assert } from "node:assert";
import { thumbnailKey, thumbnailUrl, transactionIdFor } from "../../handlers/thumbnails/identity";

describe("upload identity", () => {
  const versioned = { bucket: "raw", key: "a b/c.jpg", versionId: "3HL4kqtJlcpXroDTDmJ", eTag: "e", sequencer: "01" };

  it("derives one id per object version, whatever the eTag or sequencer of the delivery", () => {
    const id = transactionIdFor(versioned);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(transactionIdFor({ ...versioned, sequencer: "02", eTag: "other" }), id);
    assert.notEqual(transactionIdFor({ ...versioned, versionId: "v2" }), id);
    assert.notEqual(transactionIdFor({ ...versioned, key: "a b/d.jpg" }), id);
    assert.notEqual(transactionIdFor({ ...versioned, bucket: "raw2" }), id);
  });

  it("uses eTag and sequencer when the bucket is unversioned: a re-upload is a new transaction", () => {
    const first = { bucket: "raw", key: "k.jpg", eTag: "abc", sequencer: "0055AED6DCD90281E5" };
    const id = transactionIdFor(first);
    assert.equal(transactionIdFor({ ...first }), id, "a redelivered event repeats eTag and sequencer");
    assert.notEqual(transactionIdFor({ ...first, sequencer: "0055AED6DCD90281E6" }), id, "same bytes uploaded again");
    assert.notEqual(transactionIdFor({ ...first, eTag: "def" }), id);
    assert.notEqual(transactionIdFor(first), transactionIdFor({ ...first, versionId: "abc" }));
  });

  it("cannot be confused by separators inside keys", () => {
    assert.notEqual(transactionIdFor({ bucket: "a", key: "b\u0000c", eTag: "e" }), transactionIdFor({ bucket: "a\u0000b", key: "c", eTag: "e" }));
  });

  it("puts thumbnails under the raw key's folder and the transaction id", () => {
    assert.equal(thumbnailKey("canary/probe-1.jpg", "tx", "small", "jpeg"), "canary/tx/small.jpg");
    assert.equal(thumbnailKey("top.png", "tx", "medium", "webp"), "tx/medium.webp");
    assert.equal(thumbnailKey("a b/ü/x.jpg", "tx", "small", "avif"), "a b/ü/tx/small.avif");
    const deep = `${"d/".repeat(600)}x.jpg`;
    assert.equal(thumbnailKey(deep, "tx", "small", "jpeg"), "tx/small.jpg", "a folder that would pass 1024 bytes is dropped");
  });

  it("makes public URLs with each key segment encoded", () => {
    assert.equal(thumbnailUrl("https://cdn.example/", "a b/ü/tx/small.jpg"), "https://cdn.example/a%20b/%C3%BC/tx/small.jpg");
  });
});
