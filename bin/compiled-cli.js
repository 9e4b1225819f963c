// The command lines of this repository run as compiled JavaScript: each entry
// below is bundled with esbuild into .build/cli/<name>.js (the project's
// own modules inlined, node_modules left to require), with the sha256 of
// every source file it was built from beside it. `run` checks those hashes
// before each start and rebuilds when a source changed, so a compiled CLI is
// never stale against the checkout; the bundle's modules are initialised
// only when first required, so a command's heavy packages load only when it
// runs. Built at install (postinstall) and by `npm run build`; also runs as
// `node bin/compiled-cli.js [--check] [NAME...]` (--check: exit 1 if stale, build nothing).
"use strict";
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

/** Each compiled command line: its name and entry source, relative to the repository root. */
const ENTRIES = { pipectl: "pipectl/index.ts" };
const OUT_DIR = join(".build", "cli");

function paths(root, name) {
  const dir = join(root, OUT_DIR);
  return { dir, bundle: join(dir, `${name}.js`), stamp: join(dir, `${name}.sources.json`) };
}

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Why the compiled `name` must be rebuilt, or undefined when it matches the sources. */
function staleness(root, name) {
  const { stamp } = paths(root, name);
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(stamp, "utf8"));
  } catch {
    return "not built yet";
  }
  if (recorded.entry !== ENTRIES[name]) return `its entry is now ${ENTRIES[name]}`;
  for (const [file, hash] of Object.entries(recorded.sources)) {
    let now;
    try {
      now = sha256(join(root, file));
    } catch {
      return `${file} is gone`;
    }
    if (now !== hash) return `${file} changed`;
  }
  return undefined;
}

/** Bundles `name`; the bundle and its source list replace the old ones atomically (two starts may build at once). */
function compile(root, name) {
  let esbuild;
  try {
    esbuild = require("esbuild");
  } catch {
    throw new Error(`${name} must be compiled but esbuild is not installed: run npm ci`);
  }
  const { dir, bundle, stamp } = paths(root, name);
  mkdirSync(dir, { recursive: true });
  const temporary = `${bundle}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [ENTRIES[name]],
    outfile: temporary,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    metafile: true,
    logLevel: "silent",
    legalComments: "none",
  });
  const sources = {};
  for (const file of Object.keys(result.metafile.inputs).sort()) sources[file] = sha256(join(root, file));
  writeFileSync(`${stamp}.${process.pid}.tmp`, `${JSON.stringify({ entry: ENTRIES[name], esbuild: esbuild.version, sources }, null, 2)}\n`);
  renameSync(temporary, bundle);
  renameSync(`${stamp}.${process.pid}.tmp`, stamp);
  return Object.keys(sources).length;
}

/** Makes sure `name` is compiled from the current sources; returns the bundle's path. */
function ensureCompiled(name, root = resolve(__dirname, "..")) {
  if (!(name in ENTRIES)) throw new Error(`no compiled command line named ${name}; known: ${Object.keys(ENTRIES).join(", ")}`);
  if (staleness(root, name) !== undefined) compile(root, name);
  return paths(root, name).bundle;
}

/** Runs the compiled `name` in this process (its argv is this process's). */
function run(name) {
  let bundle;
  try {
    bundle = ensureCompiled(name);
  } catch (err) {
    process.stderr.write(`${name}: cannot compile it: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 2;
    return;
  }
  require(bundle);
}

module.exports = { ENTRIES, OUT_DIR, compile, ensureCompiled, run, staleness };

if (require.main === module) {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const names = args.filter((a) => a !== "--check");
  const root = resolve(__dirname, "..");
  let stale = 0;
  for (const name of names.length > 0 ? names : Object.keys(ENTRIES)) {
    const reason = staleness(root, name);
    if (check) {
      if (reason !== undefined) {
        stale++;
        process.stdout.write(`${name}: stale (${reason})\n`);
      } else process.stdout.write(`${name}: current\n`);
      continue;
    }
    if (reason === undefined) {
      process.stdout.write(`${name}: current\n`);
      continue;
    }
    rmSync(paths(root, name).stamp, { force: true });
    process.stdout.write(`${name}: compiled from ${compile(root, name)} sources (${reason})\n`);
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
