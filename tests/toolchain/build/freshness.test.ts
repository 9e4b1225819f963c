import { strict as assert } from "node:assert";
import { appendFileSync, cpSync, mkdirSync, rmSync, utimesSync, writeFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { sha256Hex, zipFolder } from "../../../toolchain/build/zip";
import { ensureFreshBuild } from "../../../toolchain/build/ensure";
import { describeTree, stableJson } from "../../../toolchain/build/files";
import { findBundleDrift } from "../../../toolchain/build/verify";
import {
  computeSourceHash,
  ManifestError,
  readFreshManifest,
  SOURCE_ROOTS,
  treeHash,
  type Architecture,
  type BuildManifest,
} from "../../../handlers/build-manifest";
import { makeTempDirs, REPO_ROOT } from "./support/temp-trees";

/** A manifest for the sources in `root`, with one small bundle written to dist/thumbnails/. */
function manifestFor(root: string, extra: Partial<BuildManifest> = {}): BuildManifest {
  mkdirSync(join(root, "dist", "thumbnails"), { recursive: true });
  writeFileSync(join(root, "dist", "thumbnails", "index.js"), "exports.handler = async () => ({ batchItemFailures: [] });\n");
  const files = describeTree(join(root, "dist", "thumbnails"));
  const zip = zipFolder(join(root, "dist", "thumbnails"));
  writeFileSync(join(root, "dist", "thumbnails.zip"), zip);
  return {
    schemaVersion: 1,
    architecture: "arm64",
    runtime: "nodejs22.x",
    sourceHash: computeSourceHash(root),
    esbuildVersion: "0.0.0",
    sharpVersion: "0.0.0",
    functions: {
      thumbnails: {
        directory: "thumbnails",
        archive: "thumbnails.zip",
        handler: "index.handler",
        bundleHash: treeHash(files),
        archiveHash: sha256Hex(zip),
        files,
        nativePackages: [],
      },
    },
    ...extra,
  };
}

function writeManifest(root: string, manifest: BuildManifest): void {
  mkdirSync(join(root, "dist"), { recursive: true });
  writeFileSync(join(root, "dist", "manifest.json"), stableJson(manifest));
}

/** Any regular file under handlers/ of the copy (the handlers change while the team works; any one will do). */
function someHandlerFile(root: string): string {
  const dir = join(root, "handlers");
  const walk = (d: string): string | undefined => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      const found = e.isDirectory() ? walk(p) : e.name.endsWith(".ts") ? p : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const file = walk(dir);
  assert.ok(file !== undefined, "the checkout has handler sources");
  return file;
}

describe("build: manifest freshness", () => {
  const temp = makeTempDirs();
  let root: string;

  beforeEach(() => {
    // A copy of what the source hash covers, so the real checkout is never touched.
    root = temp.make("build-freshness");
    for (const entry of SOURCE_ROOTS) cpSync(join(REPO_ROOT, entry), join(root, entry), { recursive: true, filter: (src) => basename(src) !== "node_modules" });
    writeManifest(root, manifestFor(root));
  });
  after(() => temp.cleanup());

  it("accepts a manifest built from the current sources", () => {
    assert.equal(readFreshManifest(root).sourceHash, computeSourceHash(root));
  });

  it("refuses it once a handler file changes, naming `npm run build`", () => {
    appendFileSync(someHandlerFile(root), "\n// edited after the build\n");
    assert.throws(
      () => readFreshManifest(root),
      (err: unknown) => err instanceof ManifestError && /stale/.test(err.message) && /npm run build/.test(err.message),
    );
  });

  it("refuses it when a file is added under handlers/", () => {
    mkdirSync(join(root, "handlers", "new-function"), { recursive: true });
    writeFileSync(join(root, "handlers", "new-function", "index.ts"), "export const handler = async () => 1;\n");
    assert.throws(() => readFreshManifest(root), /stale.*npm run build/s);
  });

  it("does not depend on mtimes: touching a file without changing it keeps the build fresh", () => {
    const later = new Date(Date.now() + 3_600_000);
    utimesSync(someHandlerFile(root), later, later);
    assert.doesNotThrow(() => readFreshManifest(root));
  });

  it("explains a missing, corrupt or partial manifest", () => {
    writeManifest(root, manifestFor(root, { partial: true }));
    assert.throws(() => readFreshManifest(root), /holds only thumbnails \(built with --function\).*npm run build/s);
    writeFileSync(join(root, "dist", "manifest.json"), "{ truncated");
    assert.throws(
      () => readFreshManifest(root),
      (err: unknown) => err instanceof ManifestError && /not valid JSON/.test(err.message),
    );
    rmSync(join(root, "dist"), { recursive: true });
    assert.throws(() => readFreshManifest(root), /missing: run `npm run build`/);
  });

  describe("ensureFreshBuild", () => {
    /** A stand-in build that records its calls and writes a manifest for the current sources. */
    function countingBuild(arch: Architecture = "arm64"): { calls: number; build: (r: string) => Promise<BuildManifest> } {
      const counter = {
        calls: 0,
        build: async (r: string): Promise<BuildManifest> => {
          counter.calls++;
          await sleep(50); // long enough for a second caller to arrive while it runs
          const m = manifestFor(r, { architecture: arch });
          writeManifest(r, m);
          return m;
        },
      };
      return counter;
    }

    it("returns a fresh manifest without building", async () => {
      const b = countingBuild();
      const m = await ensureFreshBuild(root, { build: b.build });
      assert.equal(b.calls, 0);
      assert.equal(m.sourceHash, computeSourceHash(root));
    });

    it("builds once for callers that arrive together, then serves the fresh result", async () => {
      rmSync(join(root, "dist"), { recursive: true });
      const b = countingBuild();
      const [first, second] = await Promise.all([ensureFreshBuild(root, { build: b.build }), ensureFreshBuild(root, { build: b.build })]);
      assert.equal(b.calls, 1);
      assert.deepEqual(first, second);
      await ensureFreshBuild(root, { build: b.build });
      assert.equal(b.calls, 1, "a later call finds the manifest fresh");
      appendFileSync(someHandlerFile(root), "\n// edited\n");
      await ensureFreshBuild(root, { build: b.build });
      assert.equal(b.calls, 2, "an edit makes it build again");
    });

    it("passes a failed build on to every waiting caller and tries again on the next call", async () => {
      rmSync(join(root, "dist"), { recursive: true });
      let calls = 0;
      const failing = async (): Promise<BuildManifest> => {
        calls++;
        await sleep(20);
        throw new Error('esbuild could not bundle function "thumbnails"');
      };
      const results = await Promise.allSettled([ensureFreshBuild(root, { build: failing }), ensureFreshBuild(root, { build: failing })]);
      assert.deepEqual(
        results.map((r) => r.status),
        ["rejected", "rejected"],
      );
      assert.equal(calls, 1);
      await assert.rejects(ensureFreshBuild(root, { build: failing }), /could not bundle function "thumbnails"/);
      assert.equal(calls, 2);
    });

    it("rebuilds when a bundle on disk no longer matches its manifest", async () => {
      const manifest = readFreshManifest(root);
      assert.deepEqual(findBundleDrift(join(root, "dist"), manifest), []);
      appendFileSync(join(root, "dist", "thumbnails", "index.js"), "// patched by hand\n");
      assert.match(findBundleDrift(join(root, "dist"), manifest).join("\n"), /^thumbnails: files differ from the manifest/);
      const b = countingBuild();
      await ensureFreshBuild(root, { build: b.build });
      assert.equal(b.calls, 1);
      rmSync(join(root, "dist", "thumbnails"), { recursive: true });
      assert.deepEqual(findBundleDrift(join(root, "dist"), manifest), ["thumbnails: thumbnails/ is missing"]);
    });

    it("rebuilds when the fresh manifest is for another architecture than asked", async () => {
      const b = countingBuild("x64");
      const m = await ensureFreshBuild(root, { architecture: "x64", build: b.build });
      assert.equal(b.calls, 1);
      assert.equal(m.architecture, "x64");
    });
  });
});
