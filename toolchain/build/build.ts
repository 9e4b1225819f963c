// `npm run build`: every function bundled into <out>/<name>/, the native
// packages it reaches installed beside it for the Lambda architecture, and
// <out>/manifest.json describing it all. The output depends only on the
// checkout and the lockfile: no timestamps, sorted everything, normalised modes.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync, chmodSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunctions, esbuildVersion } from "./bundle";
import { sha256Hex, zipFolder } from "./zip";
import { describeArchitectureMismatch } from "./elf";
import { EXEC_WRAPPER_FILE } from "../../handlers/thumbnails/image/config";
import {
  compareStrings,
  copyTreeNormalised,
  describeTree,
  DIRECTORY_MODE,
  EXECUTABLE_MODE,
  FIXED_MTIME,
  normaliseTree,
  stableJson,
  writeFileNormalised,
} from "./files";
import { discoverFunctions, HANDLERS_DIRECTORY } from "./functions";
import { withLock } from "./lock";
import { computeSourceHash, treeHash, type Architecture, type BuildManifest, type ManifestFunction } from "../../handlers/build-manifest";
import { CACHE_DIRECTORY, ensureNativeInstall } from "./native-cache";
import { readLockfile, type Lockfile } from "./native-packages";

export const DEFAULT_ARCHITECTURE: Architecture = "arm64";
export const MANIFEST_FILE = "manifest.json";

/** Files a function reads at run time besides its bundle: from (repo path) -> to (inside the function folder). */
const FUNCTION_ASSETS: Record<string, { from: string; to: string }[]> = {
  migrate: [{ from: join(HANDLERS_DIRECTORY, "migrations"), to: "migrations" }],
  // The exec wrapper THUMBNAILS_ENVIRONMENT's AWS_LAMBDA_EXEC_WRAPPER names, at the bundle's root.
  thumbnails: [{ from: join(HANDLERS_DIRECTORY, "shared", "exec-wrapper"), to: "." }],
};

/** Files of a function that must stay executable (mode 0755) in its folder and its zip: the bootstrap refuses a wrapper that is not. */
export const EXECUTABLE_FILES: Record<string, string[]> = {
  thumbnails: [EXEC_WRAPPER_FILE],
};

/** The function's zip beside its folder in dist/. */
export function archiveFileOf(name: string): string {
  return `${name}.zip`;
}

export interface BuildOptions {
  repoRoot: string;
  arch?: Architecture;
  /** Defaults to <repoRoot>/dist. */
  outDir?: string;
  /** Only these functions (the manifest is then marked partial and is not deployable). */
  functions?: string[];
  log?: (line: string) => void;
}

export class BuildError extends Error {}

function selectFunctions(repoRoot: string, requested: string[] | undefined): string[] {
  const all = discoverFunctions(repoRoot);
  if (all.length === 0)
    throw new BuildError(`no functions under ${HANDLERS_DIRECTORY}/: a function is a folder ${HANDLERS_DIRECTORY}/<name>/ with an index.ts exporting handler.`);
  if (requested === undefined) return all;
  const unknown = requested.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new BuildError(`unknown function(s) ${unknown.join(", ")}; the functions are: ${all.join(", ")}.`);
  return [...new Set(requested)].sort(compareStrings);
}

function sharpVersionOf(lock: Lockfile): string {
  return lock.packages["node_modules/sharp"]?.version ?? "none";
}

/** Refuses to replace a folder that is not a previous build output: --out must not wipe someone's files. */
function checkReplaceable(outDir: string): void {
  if (!existsSync(outDir)) return;
  const entries = readdirSync(outDir).filter((e) => !e.startsWith(".staging-"));
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new BuildError(`refusing to build into ${outDir}: it holds files but no ${MANIFEST_FILE}, so it is not a build output. Pick an empty or new folder.`);
  }
}

/** Moves the staged build into place; the manifest goes last so a reader never sees a manifest without its bundles. */
function replaceOutput(staging: string, outDir: string): void {
  rmSync(join(outDir, MANIFEST_FILE), { force: true });
  const stagingName = staging.slice(outDir.length + 1);
  for (const entry of readdirSync(outDir)) {
    if (entry !== stagingName) rmSync(join(outDir, entry), { recursive: true, force: true });
  }
  const staged = readdirSync(staging).sort((a, b) => (a === MANIFEST_FILE ? 1 : b === MANIFEST_FILE ? -1 : compareStrings(a, b)));
  for (const entry of staged) renameSync(join(staging, entry), join(outDir, entry));
  rmSync(staging, { recursive: true, force: true });
  chmodSync(outDir, DIRECTORY_MODE);
  utimesSync(outDir, FIXED_MTIME, FIXED_MTIME);
}

async function bundleAll(repoRoot: string, names: string[], staging: string, log: (line: string) => void): Promise<Map<string, string[]>> {
  const outputs = await bundleFunctions(repoRoot, names, staging, log);
  const nativeImports = new Map<string, string[]>();
  for (const name of names) {
    const output = outputs.get(name);
    if (output === undefined) throw new BuildError(`esbuild produced nothing for function "${name}"`);
    for (const f of output.files) writeFileNormalised(join(staging, name, f.path), f.contents);
    nativeImports.set(name, output.nativeImports);
  }
  return nativeImports;
}

/** Runs the build and returns the manifest it wrote. */
export async function buildFunctions(options: BuildOptions): Promise<BuildManifest> {
  const repoRoot = resolve(options.repoRoot);
  const arch = options.arch ?? DEFAULT_ARCHITECTURE;
  const outDir = resolve(options.outDir ?? join(repoRoot, "dist"));
  const log = options.log ?? (() => undefined);
  const names = selectFunctions(repoRoot, options.functions);
  // Hashed before bundling: an edit during the build leaves the manifest stale, never falsely fresh.
  const sourceHash = computeSourceHash(repoRoot);
  const lock = readLockfile(repoRoot);
  const outKey = createHash("sha256").update(outDir).digest("hex").slice(0, 16);

  return withLock(join(repoRoot, CACHE_DIRECTORY, "locks", `out-${outKey}.lock`), async () => {
    checkReplaceable(outDir);
    const staging = join(outDir, `.staging-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      const nativeImports = await bundleAll(repoRoot, names, staging, log);
      const functions: Record<string, ManifestFunction> = {};
      for (const name of names) {
        const functionDir = join(staging, name);
        const nativePackages: string[] = [];
        for (const pkg of nativeImports.get(name) ?? []) {
          const installed = await ensureNativeInstall(repoRoot, lock, pkg, arch, log);
          for (const p of installed.packages) {
            copyTreeNormalised(
              join(installed.directory, "node_modules", p.name),
              join(functionDir, "node_modules", p.name),
              (rel) => !rel.split("/").includes("node_modules"),
            );
            nativePackages.push(`${p.name}@${p.version}`);
          }
        }
        for (const asset of FUNCTION_ASSETS[name] ?? []) {
          if (existsSync(join(repoRoot, asset.from))) copyTreeNormalised(join(repoRoot, asset.from), join(functionDir, asset.to));
        }
        for (const file of EXECUTABLE_FILES[name] ?? []) chmodSync(join(functionDir, file), EXECUTABLE_MODE);
        const mismatch = describeArchitectureMismatch(functionDir, name, arch);
        if (mismatch !== null) throw new BuildError(mismatch);
        const files = describeTree(functionDir);
        // The deployment package, modes recorded (zip.ts); what the program deploys and the pack matches.
        const zip = zipFolder(functionDir);
        writeFileNormalised(join(staging, archiveFileOf(name)), zip);
        functions[name] = {
          directory: name,
          archive: archiveFileOf(name),
          handler: "index.handler",
          bundleHash: treeHash(files),
          archiveHash: sha256Hex(zip),
          files,
          nativePackages: [...new Set(nativePackages)].sort(compareStrings),
        };
      }
      const manifest: BuildManifest = {
        schemaVersion: 1,
        architecture: arch,
        runtime: "nodejs22.x",
        sourceHash,
        esbuildVersion,
        sharpVersion: sharpVersionOf(lock),
        functions,
        ...(options.functions !== undefined ? { partial: true } : {}),
      };
      writeFileNormalised(join(staging, MANIFEST_FILE), stableJson(manifest));
      normaliseTree(staging);
      replaceOutput(staging, outDir);
      return manifest;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
}
