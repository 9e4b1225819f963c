// The archive hash the build records and the offline plan fills in must be the
// one the Pulumi engine computes (sdk/go/common/resource/archive: a tar of the
// folder's files, headers with name, mode 0600 and size). The expected value
// below was computed from the same folder by a Go program that walks it with
// filepath.Walk and writes it with Go's own archive/tar, as the engine does;
// the same program agreed with archive-hash.ts on every bundle of dist/.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ARCHIVE_SIGNATURE,
  ASSET_SIGNATURE,
  engineArchiveHash,
  folderArchiveHash,
  SIGNATURE_KEY,
  ustarHeader,
  withEngineArchiveHashes,
} from "../../../toolchain/build/archive-hash";
import { makeTempDirs } from "./support/temp-trees";

/** Names sorted per level differ from sorted paths ("b/c" before "b.txt"), a name over 100 bytes, padding edge cases, `.pulumi`, symlinks. */
function referenceFolder(root: string): void {
  const put = (path: string, content: string) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  put("b.txt", "x");
  put("b/c", "hello");
  put("empty", "");
  put("exact512", "a".repeat(512));
  put("b/odd", "0123456789".repeat(100));
  put(".pulumi/state", "not archived");
  put(`deep/${"d".repeat(60)}/${"e".repeat(50)}/${"f".repeat(90)}.txt`, "long name, split into prefix and name");
  symlinkSync("b.txt", join(root, "link-to-file"));
  symlinkSync("b", join(root, "link-to-dir"));
}

const ENGINE_HASH_OF_REFERENCE = "544d1a11beeddd73dfed47f375e61b7bee33148b95343ca657014f461ae1da5a";

describe("build: the engine's archive hash", () => {
  const temp = makeTempDirs();
  after(() => temp.cleanup());

  it("equals the hash Go's archive/tar gives the reference folder", () => {
    const root = temp.make("reference");
    referenceFolder(root);
    assert.equal(folderArchiveHash(root), ENGINE_HASH_OF_REFERENCE);
  });

  it("changes with a file's content or name, not with its timestamps", () => {
    const root = temp.make("changes");
    referenceFolder(root);
    writeFileSync(join(root, "b.txt"), "y");
    const changed = folderArchiveHash(root);
    assert.notEqual(changed, ENGINE_HASH_OF_REFERENCE);
    writeFileSync(join(root, "b.txt"), "y");
    assert.equal(folderArchiveHash(root), changed);
  });

  it("writes a USTAR header as Go does: mode 0600, octal fields, checksum, magic", () => {
    const h = ustarHeader("index.js", 1234);
    assert.equal(h.length, 512);
    assert.equal(h.subarray(0, 8).toString("ascii"), "index.js");
    assert.equal(h.subarray(100, 108).toString("ascii"), "0000600\0");
    assert.equal(h.subarray(124, 136).toString("ascii"), "00000002322\0");
    assert.equal(h.subarray(257, 265).toString("ascii"), "ustar\x0000");
    let sum = 0;
    for (const [i, b] of h.entries()) sum += i >= 148 && i < 156 ? 32 : b;
    assert.equal(h.subarray(148, 156).toString("ascii"), `${sum.toString(8).padStart(6, "0")}\0 `);
  });

  it("hashes an archive file by its bytes and an asset archive as the tar of its flattened members", () => {
    const root = temp.make("assets");
    writeFileSync(join(root, "bundle.zip"), "PK not really a zip");
    assert.equal(
      engineArchiveHash({ [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path: "bundle.zip" }, root),
      createHash("sha256")
        .update(readFileSync(join(root, "bundle.zip")))
        .digest("hex"),
    );
    mkdirSync(join(root, "lib"));
    writeFileSync(join(root, "lib", "a.js"), "a");
    const assetArchive = {
      [SIGNATURE_KEY]: ARCHIVE_SIGNATURE,
      assets: { "index.js": { [SIGNATURE_KEY]: ASSET_SIGNATURE, text: "exports.handler = 1;" }, vendor: { [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path: "lib" } },
    };
    const same = temp.make("same-as-folder");
    writeFileSync(join(same, "index.js"), "exports.handler = 1;");
    mkdirSync(join(same, "vendor"));
    writeFileSync(join(same, "vendor", "a.js"), "a");
    assert.equal(engineArchiveHash(assetArchive, root), folderArchiveHash(same));
  });

  it("fills in each archive's hash in wire-form properties, keeping one already there and leaving remote or missing ones without", () => {
    const root = temp.make("wire");
    writeFileSync(join(root, "index.js"), "x");
    const props = {
      code: { [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path: "." },
      layers: [{ [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path: ".", hash: "given" }],
      remote: { [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, uri: "https://example.com/code.zip" },
      missing: { [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path: "no-such-folder" },
      name: "fn",
    };
    const out = withEngineArchiveHashes(props, root) as typeof props & { code: { hash?: string } };
    assert.equal(out.code.hash, folderArchiveHash(root));
    assert.equal(out.layers[0].hash, "given");
    assert.equal("hash" in out.remote, false);
    assert.equal("hash" in out.missing, false);
    assert.equal(out.name, "fn");
    assert.equal("hash" in props.code, false, "the input is not modified");
  });
});
