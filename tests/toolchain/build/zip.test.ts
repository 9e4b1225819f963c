// The build writes each function's zip itself so file modes survive to
// Lambda: the bootstrap refuses an exec wrapper that is not executable, and
// Pulumi's folder archives record no modes. The engine hashes a .zip
// FileArchive as the sha256 of its bytes, which the manifest must carry.
import { strict as assert } from "node:assert";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARCHIVE_SIGNATURE, engineArchiveHash, SIGNATURE_KEY } from "../../../toolchain/build/archive-hash";
import { sha256Hex, zipFolder } from "../../../toolchain/build/zip";

/** name -> { made-by system, unix mode } from a zip's central directory. */
function centralDirectory(zip: Buffer): Map<string, { system: number; mode: number }> {
  const out = new Map<string, { system: number; mode: number }>();
  for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 46)) {
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    out.set(name, { system: zip.readUInt8(at + 5), mode: (zip.readUInt32LE(at + 38) >>> 16) & 0o7777 });
  }
  return out;
}

describe("build: function zips", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "zip-"));
    mkdirSync(join(root, "node_modules", "pkg"), { recursive: true });
    writeFileSync(join(root, "index.js"), "exports.handler = async () => 1;\n");
    writeFileSync(join(root, "node_modules", "pkg", "lib.js"), "module.exports = 2;\n");
    writeFileSync(join(root, "node-options-wrapper"), '#!/bin/sh\nexec "$@"\n');
    chmodSync(join(root, "index.js"), 0o644);
    chmodSync(join(root, "node_modules", "pkg", "lib.js"), 0o644);
    chmodSync(join(root, "node-options-wrapper"), 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("records each file's unix mode: the wrapper 0755, the rest 0644", () => {
    const entries = centralDirectory(zipFolder(root));
    assert.deepEqual([...entries.keys()], ["index.js", "node-options-wrapper", "node_modules/pkg/lib.js"]);
    for (const entry of entries.values()) assert.equal(entry.system, 3, "made by unix, so the modes are read");
    assert.equal(entries.get("node-options-wrapper")?.mode, 0o755);
    assert.equal(entries.get("index.js")?.mode, 0o644);
  });

  it("is the same bytes for the same folder, and the engine's hash of it is their sha256", () => {
    const first = zipFolder(root);
    assert.ok(first.equals(zipFolder(root)));
    const path = join(root, "..", `${root.split("/").pop()}.zip`);
    writeFileSync(path, first);
    try {
      assert.equal(engineArchiveHash({ [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path }, root), sha256Hex(first));
    } finally {
      rmSync(path, { force: true });
    }
  });

  it("changes when only a mode changes", () => {
    const before = sha256Hex(zipFolder(root));
    chmodSync(join(root, "node-options-wrapper"), 0o644);
    assert.notEqual(sha256Hex(zipFolder(root)), before);
  });
});
