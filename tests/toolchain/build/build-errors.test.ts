// What the build says when it cannot do its job: each message names the
// function or folder at fault and what to do.
import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildFunctions } from "../../../toolchain/build/build";
import { ensureFreshBuild } from "../../../toolchain/build/ensure";
import { computeSourceHash, type BuildManifest } from "../../../handlers/build-manifest";
import { makeTempDirs, REPO_ROOT } from "./support/temp-trees";

describe("build: failures and options", () => {
  const temp = makeTempDirs();
  let repo: string;

  /** A tiny checkout: two dependency-free functions, plus whatever a test adds. */
  beforeEach(() => {
    repo = temp.make("build-errors");
    copyFileSync(join(REPO_ROOT, "package-lock.json"), join(repo, "package-lock.json"));
    for (const name of ["alpha", "beta"]) {
      mkdirSync(join(repo, "handlers", name), { recursive: true });
      writeFileSync(join(repo, "handlers", name, "index.ts"), `export const handler = async (): Promise<string> => "${name}";\n`);
    }
    mkdirSync(join(repo, "handlers", "shared"), { recursive: true });
    writeFileSync(join(repo, "handlers", "shared", "index.ts"), "export const shared = 1;\n");
  });
  after(() => temp.cleanup());

  it("finds functions by folder, leaving out shared/ and migrations/", async () => {
    const manifest = await buildFunctions({ repoRoot: repo, outDir: join(repo, "out") });
    assert.deepEqual(Object.keys(manifest.functions), ["alpha", "beta"]);
    assert.deepEqual(manifest.functions.alpha.nativePackages, []);
  });

  it("names each function that fails to bundle with esbuild's error, and keeps the previous output", async () => {
    const out = join(repo, "out");
    await buildFunctions({ repoRoot: repo, outDir: out });
    const before = readFileSync(join(out, "manifest.json"));
    writeFileSync(join(repo, "handlers", "beta", "index.ts"), 'import { missing } from "./nowhere";\nexport const handler = missing;\n');
    await assert.rejects(buildFunctions({ repoRoot: repo, outDir: out }), (err: Error) => {
      assert.match(err.message, /1 of 2 function\(s\) failed to bundle/);
      assert.match(err.message, /could not bundle function "beta" \(handlers\/beta\/index\.ts\)/);
      assert.match(err.message, /Could not resolve "\.\/nowhere"/);
      assert.doesNotMatch(err.message, /function "alpha"/);
      return true;
    });
    assert.ok(readFileSync(join(out, "manifest.json")).equals(before), "a failed build leaves the last good output alone");
    for (const entry of ["alpha", "beta", "manifest.json"]) assert.ok(existsSync(join(out, entry)), entry);
  });

  it("builds only the named functions on request, marking the manifest partial", async () => {
    const manifest: BuildManifest = await buildFunctions({ repoRoot: repo, outDir: join(repo, "out"), functions: ["beta"] });
    assert.deepEqual(Object.keys(manifest.functions), ["beta"]);
    assert.equal(manifest.partial, true);
    await assert.rejects(
      buildFunctions({ repoRoot: repo, outDir: join(repo, "out2"), functions: ["gamma"] }),
      /unknown function\(s\) gamma; the functions are: alpha, beta/,
    );
  });

  it("ensureFreshBuild builds a checkout without dist/ once, then reuses it", async () => {
    const lines: string[] = [];
    const first = await ensureFreshBuild(repo, { log: (l) => lines.push(l) });
    assert.deepEqual(Object.keys(first.functions), ["alpha", "beta"]);
    assert.equal(first.sourceHash, computeSourceHash(repo));
    assert.match(lines.join("\n"), /running the build/);
    const inode = statSync(join(repo, "dist", "manifest.json")).ino;
    const again = await ensureFreshBuild(repo, { log: (l) => lines.push(l) });
    assert.deepEqual(again, first);
    assert.equal(statSync(join(repo, "dist", "manifest.json")).ino, inode, "the fresh build was not rewritten");
  });

  it("refuses to replace a folder that is not a build output", async () => {
    const out = join(repo, "precious");
    mkdirSync(out);
    writeFileSync(join(out, "notes.txt"), "keep me\n");
    await assert.rejects(buildFunctions({ repoRoot: repo, outDir: out }), /refusing to build into .*precious: it holds files but no manifest.json/);
    assert.equal(readFileSync(join(out, "notes.txt"), "utf8"), "keep me\n");
  });

  it("refuses a function folder whose name can't be a function name", async () => {
    mkdirSync(join(repo, "handlers", "Bad_Name"));
    writeFileSync(join(repo, "handlers", "Bad_Name", "index.ts"), "export const handler = 1;\n");
    await assert.rejects(
      buildFunctions({ repoRoot: repo, outDir: join(repo, "out") }),
      /handlers\/Bad_Name\/ has an index.ts but "Bad_Name" is not a valid function name/,
    );
  });
});
