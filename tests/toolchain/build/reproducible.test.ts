// Two builds of one checkout must be identical byte for byte (M5), carry the
// arm64 sharp by default, and hold no path of the machine that built them.
import { strict as assert } from "node:assert";
import { readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { version as esbuildVersion } from "esbuild";
import { buildFunctions } from "../../../toolchain/build/build";
import { ELF_MACHINE, readElfHeader } from "../../../toolchain/build/elf";
import { describeTree, listTree } from "../../../toolchain/build/files";
import { discoverFunctions } from "../../../toolchain/build/functions";
import { computeSourceHash, treeHash, type BuildManifest } from "../../../handlers/build-manifest";
import { CACHE_DIRECTORY } from "../../../toolchain/build/native-cache";
import { lambdaPlatform, readLockfile, runtimeClosure } from "../../../toolchain/build/native-packages";
import { findBundleDrift } from "../../../toolchain/build/verify";
import { makeTempDirs, REPO_ROOT, snapshotTree } from "./support/temp-trees";

describe("build: reproducible bundles", function () {
  this.timeout(600_000); // a cold cache downloads sharp's arm64 packages once
  const temp = makeTempDirs();
  let outA: string;
  let outB: string;
  let manifest: BuildManifest;

  let sourceHash: string;
  let functionNames: string[];

  before(async () => {
    outA = join(temp.make("build-a"), "dist");
    outB = join(temp.make("build-b"), "dist");
    // Both builds must see one state of the sources; in a checkout others are editing, retry if it moved meanwhile.
    for (let attempt = 1; ; attempt++) {
      sourceHash = computeSourceHash(REPO_ROOT);
      functionNames = discoverFunctions(REPO_ROOT);
      manifest = await buildFunctions({ repoRoot: REPO_ROOT, outDir: outA });
      await buildFunctions({ repoRoot: REPO_ROOT, outDir: outB });
      if (computeSourceHash(REPO_ROOT) === sourceHash) break;
      if (attempt === 3)
        throw new Error("handlers/, package-lock.json or toolchain/build/ changed during each of 3 attempts; run the test on a quiet checkout.");
    }
  });
  after(() => temp.cleanup());

  it("gives byte-identical trees for two builds of one checkout (content, modes, mtimes)", () => {
    const a = snapshotTree(outA);
    const b = snapshotTree(outB);
    assert.deepEqual(
      b.map((e) => e.path),
      a.map((e) => e.path),
    );
    for (let i = 0; i < a.length; i++) {
      assert.equal(b[i].mode, a[i].mode, `mode of ${a[i].path}`);
      assert.equal(b[i].mtimeMs, a[i].mtimeMs, `mtime of ${a[i].path}`);
      assert.ok(b[i].bytes.equals(a[i].bytes), `content of ${a[i].path}`);
    }
    assert.ok(a.some((e) => e.path === "manifest.json"));
  });

  it("writes a manifest that describes exactly the tree on disk", () => {
    assert.deepEqual(JSON.parse(readFileSync(join(outA, "manifest.json"), "utf8")), manifest);
    assert.equal(manifest.architecture, "arm64");
    assert.equal(manifest.runtime, "nodejs22.x");
    assert.equal(manifest.sourceHash, sourceHash);
    assert.equal(manifest.esbuildVersion, esbuildVersion);
    assert.equal(manifest.sharpVersion, readLockfile(REPO_ROOT).packages["node_modules/sharp"].version);
    assert.equal(manifest.partial, undefined);
    assert.deepEqual(Object.keys(manifest.functions), functionNames);
    assert.deepEqual(findBundleDrift(outA, manifest), []);
    const topLevel = new Set(listTree(outA).map((p) => p.split("/")[0]));
    assert.deepEqual(
      [...topLevel].sort(),
      [...Object.keys(manifest.functions), ...Object.values(manifest.functions).map((f) => f.archive), "manifest.json"].sort(),
      "nothing else in the output",
    );
    for (const [name, fn] of Object.entries(manifest.functions)) {
      assert.equal(fn.directory, name);
      assert.equal(fn.handler, "index.handler");
      assert.deepEqual(fn.files, describeTree(join(outA, name)), `${name}: files, sizes and sha256`);
      assert.equal(fn.bundleHash, treeHash(fn.files));
      assert.ok(
        fn.files.some((f) => f.path === "index.js"),
        `${name} has index.js`,
      );
    }
  });

  it("ships sharp's aarch64 binary and libvips with the thumbnails function by default", () => {
    const thumbnails = manifest.functions.thumbnails;
    assert.ok(thumbnails !== undefined, "handlers/thumbnails/index.ts exists and was built");
    const expected = runtimeClosure(readLockfile(REPO_ROOT), "sharp", lambdaPlatform("arm64")).map((p) => `${p.name}@${p.version}`);
    assert.deepEqual([...thumbnails.nativePackages].sort(), [...expected].sort());
    const native = thumbnails.files.filter((f) => /\.node$|\.so(\.\d+)*$/.test(f.path)).map((f) => f.path);
    assert.ok(
      native.some((p) => p.startsWith("node_modules/@img/sharp-linux-arm64/") && p.endsWith(".node")),
      `sharp addon among ${native.join(", ")}`,
    );
    assert.ok(
      native.some((p) => p.startsWith("node_modules/@img/sharp-libvips-linux-arm64/") && /\.so/.test(p)),
      `libvips among ${native.join(", ")}`,
    );
    for (const p of native) {
      assert.equal(readElfHeader(join(outA, "thumbnails", p))?.machine, ELF_MACHINE.arm64, `${p} is aarch64`);
    }
    assert.ok(!thumbnails.files.some((f) => /x64|darwin|musl|wasm/.test(f.path)), "no package of another platform");
  });

  it("ships native packages only with the functions whose bundle requires them", () => {
    for (const [name, fn] of Object.entries(manifest.functions)) {
      const hasNodeModules = fn.files.some((f) => f.path.startsWith("node_modules/"));
      assert.equal(hasNodeModules, fn.nativePackages.length > 0, name);
      if (fn.nativePackages.length > 0) {
        assert.match(readFileSync(join(outA, name, "index.js"), "utf8"), /require\("sharp"\)/, `${name} leaves sharp to require`);
      }
    }
  });

  it("copies the migrations beside the migrate function", () => {
    const migrate = manifest.functions.migrate;
    assert.ok(migrate !== undefined, "handlers/migrate/index.ts exists and was built");
    const sources = describeTree(join(REPO_ROOT, "handlers", "migrations"));
    assert.ok(sources.length > 0, "handlers/migrations/ holds migrations");
    assert.deepEqual(
      migrate.files.filter((f) => f.path.startsWith("migrations/")),
      sources.map((f) => ({ ...f, path: `migrations/${f.path}` })),
    );
  });

  it("holds no path of the machine that built it", () => {
    // The temp output folders stand for "wherever it was built"; the repo, cache and home are this machine's.
    const machinePaths = [REPO_ROOT, realpathSync(REPO_ROOT), outA, outB, realpathSync(outA), join(REPO_ROOT, CACHE_DIRECTORY), `${homedir()}/`]
      .filter((p) => p.length > 1)
      .map((p) => Buffer.from(p));
    for (const path of listTree(outA)) {
      const bytes = readFileSync(join(outA, path));
      for (const needle of machinePaths) assert.equal(bytes.indexOf(needle), -1, `${path} contains ${needle.toString()}`);
    }
  });
});
