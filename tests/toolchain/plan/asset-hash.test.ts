// The hashes a pack sees on the assets and archives a program registers: an
// asset's is the SHA-256 of its bytes; an archive's comes from the build's
// engine archive hash (tests/build/archive-hash.test.ts checks it against Go).
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARCHIVE_SIGNATURE, ASSET_SIGNATURE, folderArchiveHash, SIGNATURE_KEY } from "../../../toolchain/build/archive-hash";
import { assetHash, withAssetHashes } from "../../../toolchain/plan/asset-hash";

const sha256 = (x: string | Buffer) => createHash("sha256").update(x).digest("hex");
const asset = (props: Record<string, unknown>) => ({ [SIGNATURE_KEY]: ASSET_SIGNATURE, ...props });
const archive = (props: Record<string, unknown>) => ({ [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, ...props });

describe("asset and archive hashes as the engine records a registration", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "asset-hash-"));
    writeFileSync(join(dir, "index.txt"), "hello\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("hashes an asset by its bytes, a file asset relative to the program folder", () => {
    assert.equal(assetHash({ text: "hi\n" }, dir), sha256("hi\n"));
    assert.equal(assetHash({ path: "index.txt" }, dir), sha256("hello\n"));
    assert.equal(assetHash({ path: "missing.txt" }, dir), undefined);
  });

  it("puts the hash on each registered asset and archive, not on an asset archive's members", () => {
    interface Hashed {
      hash?: string;
      assets?: Record<string, Hashed>;
    }
    const props = {
      code: archive({ path: "." }),
      layers: [asset({ text: "x" })],
      source: archive({ assets: { "a.txt": asset({ text: "a" }) } }),
      kept: asset({ text: "y", hash: "given" }),
    };
    const hashed = withAssetHashes(props, dir) as unknown as { code: Hashed; layers: Hashed[]; source: Hashed; kept: Hashed };
    assert.equal(hashed.code.hash, folderArchiveHash(dir));
    assert.equal(hashed.layers[0].hash, sha256("x"));
    assert.equal(typeof hashed.source.hash, "string");
    assert.equal(hashed.source.assets?.["a.txt"].hash, undefined);
    assert.equal(hashed.kept.hash, "given");
  });
});
