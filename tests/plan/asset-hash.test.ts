// The engine's hashes of assets and archives, which a pack sees on every
// asset and archive it is given. The expected archive hashes were computed
// with Go's archive/tar writing the same headers the engine writes
// (sdk/go/common/resource/archive: Name, Mode 0600, Size), over the same files.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ARCHIVE_SIGNATURE, archiveHash, ASSET_SIGNATURE, assetHash, SIGNATURE_KEY, withAssetHashes } from "../../tools/plan/asset-hash";

const FIXTURES = join(__dirname, "fixtures", "archive");
/** Go's tar of fixtures/archive/bundle: upper-case names first, `.pulumi` left out, a long name split into prefix and name. */
const BUNDLE_TAR_SHA256 = "0c803a9161cfe414a6441bd2bcbe682b4950a69c3a508eb43041e9bfd1bf81d9";
/** Go's tar of a folder holding the bundle under pkg/ and readme.txt ("hi\n"). */
const WRAPPED_SHA256 = "c5dbc0e9a33466f82437d55bd6162c364c7f0bc731ef88c333ba977a3e664103";
/** The engine's hash of an empty asset archive (two zero blocks), which it treats specially. */
const EMPTY_ARCHIVE_SHA256 = "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

const asset = (props: Record<string, unknown>) => ({ [SIGNATURE_KEY]: ASSET_SIGNATURE, ...props });
const archive = (props: Record<string, unknown>) => ({ [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, ...props });

describe("asset and archive hashes as the engine computes them", () => {
  it("hashes a folder archive as the tar stream Go writes for it", () => {
    assert.equal(archiveHash({ path: "bundle" }, FIXTURES), BUNDLE_TAR_SHA256);
    assert.equal(archiveHash({ path: join(FIXTURES, "bundle") }, "/"), BUNDLE_TAR_SHA256, "absolute paths ignore the program folder");
  });

  it("hashes an archive file by its bytes", () => {
    assert.equal(archiveHash({ path: "bundle.tar" }, FIXTURES), createHash("sha256").update(readFileSync(join(FIXTURES, "bundle.tar"))).digest("hex"));
    assert.equal(archiveHash({ path: "bundle.tar" }, FIXTURES), BUNDLE_TAR_SHA256, "the committed tar is Go's own output");
  });

  it("hashes an asset archive by its members in key order, sub-archives flattened under their key", () => {
    assert.equal(archiveHash({ assets: { pkg: archive({ path: "bundle.tar" }), "readme.txt": asset({ text: "hi\n" }) } }, FIXTURES), WRAPPED_SHA256);
    assert.equal(archiveHash({ assets: { "readme.txt": asset({ text: "hi\n" }), pkg: archive({ path: "bundle" }) } }, FIXTURES), WRAPPED_SHA256);
    assert.equal(archiveHash({ assets: {} }, FIXTURES), EMPTY_ARCHIVE_SHA256);
  });

  it("hashes an asset by its bytes", () => {
    assert.equal(assetHash({ text: "hi\n" }, FIXTURES), createHash("sha256").update("hi\n").digest("hex"));
    assert.equal(assetHash({ path: "bundle/index.txt" }, FIXTURES), createHash("sha256").update(readFileSync(join(FIXTURES, "bundle", "index.txt"))).digest("hex"));
  });

  it("puts the hash on each registered asset and archive, not on an asset archive's members", () => {
    const props = { code: archive({ path: "bundle" }), layers: [asset({ text: "x" })], source: archive({ assets: { "a.txt": asset({ text: "a" }) } }), kept: archive({ path: "bundle", hash: "given" }) };
    interface Hashed {
      hash?: string;
      assets?: Record<string, Hashed>;
    }
    const hashed = withAssetHashes(props, FIXTURES, "urn:test") as unknown as { code: Hashed; layers: Hashed[]; source: Hashed; kept: Hashed };
    assert.equal(hashed.code.hash, BUNDLE_TAR_SHA256);
    assert.equal(hashed.layers[0].hash, createHash("sha256").update("x").digest("hex"));
    assert.equal(hashed.source.assets?.["a.txt"].hash, undefined);
    assert.equal(hashed.kept.hash, "given");
  });

  it("names the resource and property when a path cannot be read", () => {
    assert.throws(() => withAssetHashes({ code: archive({ path: "missing" }) }, FIXTURES, "urn:fn"), /missing/);
    assert.throws(() => withAssetHashes({ code: archive({ uri: "https://example.com/x.zip" }) }, FIXTURES, "urn:fn"), /urn:fn\.code https:\/\/example\.com\/x\.zip: only file:\/\/ URIs/);
  });
});
