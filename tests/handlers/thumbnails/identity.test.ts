// Transaction ids and thumbnail keys: stable per upload, distinct across uploads,
// and never a path the raw key could steer.
import { strict as assert } from "node:assert";
import { goneTransactionIdFor, originalUrl, safeFolder, thumbnailKey, thumbnailUrl, transactionIdFor } from "../../../handlers/thumbnails/identity";

describe("upload identity", () => {
  const versioned = { bucket: "raw", key: "a b/c.jpg", versionId: "3HL4kqtJlcpXroDTDmJ", eTag: "e" };

  it("derives one id per object version, whatever the eTag of the delivery", () => {
    const id = transactionIdFor(versioned);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(transactionIdFor({ ...versioned, eTag: "other", lastModified: new Date() }), id);
    assert.notEqual(transactionIdFor({ ...versioned, versionId: "v2" }), id);
    assert.notEqual(transactionIdFor({ ...versioned, key: "a b/d.jpg" }), id);
    assert.notEqual(transactionIdFor({ ...versioned, bucket: "raw2" }), id);
  });

  it("uses the object's ETag and Last-Modified when the bucket is unversioned: a re-upload is a new transaction", () => {
    const first = { bucket: "raw", key: "k.jpg", eTag: "abc", lastModified: new Date("2026-12-01T10:00:00.000Z") };
    const id = transactionIdFor(first);
    assert.equal(
      transactionIdFor({ ...first, lastModified: new Date("2026-12-01T10:00:00.999Z") }),
      id,
      "HTTP dates carry whole seconds; a listing's milliseconds do not count",
    );
    assert.notEqual(transactionIdFor({ ...first, lastModified: new Date("2026-12-01T10:00:01Z") }), id, "same bytes uploaded again");
    assert.notEqual(transactionIdFor({ ...first, eTag: "def" }), id);
    assert.notEqual(transactionIdFor(first), transactionIdFor({ ...first, versionId: "abc" }));
    assert.notEqual(goneTransactionIdFor(first), id);
    assert.throws(() => transactionIdFor({ bucket: "raw", key: "k.jpg", eTag: "abc" }), /needs its Last-Modified/);
  });

  it("cannot be confused by separators inside keys", () => {
    const lastModified = new Date(0);
    assert.notEqual(
      transactionIdFor({ bucket: "a", key: "b\u0000c", eTag: "e", lastModified }),
      transactionIdFor({ bucket: "a\u0000b", key: "c", eTag: "e", lastModified }),
    );
  });

  it("puts thumbnails under the raw key's plain folders and the transaction id", () => {
    assert.equal(thumbnailKey("canary/2026-12-01/probe-1/x.jpg", "tx", "small", "jpeg"), "canary/2026-12-01/probe-1/tx/small.jpg");
    assert.equal(thumbnailKey("top.png", "tx", "medium", "webp"), "tx/medium.webp");
    assert.equal(thumbnailKey("uploads/a b/ü/x.jpg", "tx", "small", "avif"), "uploads/tx/small.avif", "folders after an odd one are dropped");
    const deep = `${"d/".repeat(600)}x.jpg`;
    assert.ok(Buffer.byteLength(thumbnailKey(deep, "tx", "small", "jpeg")) <= 1024, "a deep folder is cut short");
  });

  it("never lets a hostile key steer a thumbnail key", () => {
    const hostile = [
      "../../../../etc/passwd.jpg",
      "uploads/../../escape.jpg",
      "uploads/./dot.jpg",
      "./x.jpg",
      "a//b.jpg",
      ".hidden/x.jpg",
      "ctl\u0001\u001f\u007f/x.jpg",
      `${"s".repeat(300)}/x.jpg`,
      "%2e%2e/%2E%2E/x.jpg",
      "back\\slash/x.jpg",
      `${"k".repeat(1020)}.jpg`,
    ];
    for (const key of hostile) {
      const thumbnail = thumbnailKey(key, "tx", "small", "jpeg");
      for (const segment of thumbnail.split("/")) {
        assert.match(segment, /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, `${JSON.stringify(key)} gave segment ${JSON.stringify(segment)}`);
      }
      assert.ok(thumbnail.endsWith("tx/small.jpg"));
    }
    assert.equal(safeFolder("uploads/../../escape.jpg"), "uploads/");
  });

  it("makes public URLs with each key segment encoded, and dot segments a URL parser cannot resolve away", () => {
    assert.equal(thumbnailUrl("https://cdn.example/", "uploads/tx/small.jpg"), "https://cdn.example/uploads/tx/small.jpg");
    assert.equal(thumbnailUrl("https://cdn.example", "a b/ü/tx/small.jpg"), "https://cdn.example/a%20b/%C3%BC/tx/small.jpg");
    const url = originalUrl("raw", "a/../b\u0001 c.jpg");
    assert.equal(url, "s3://raw/a/%2E%2E/b%01%20c.jpg");
    assert.ok(![...url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f));
  });
});
