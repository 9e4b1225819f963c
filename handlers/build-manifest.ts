// The build manifest (`dist/manifest.json`) and the source hash that decides
// whether it is stale. Shared by the build, the Pulumi program (which refuses
// to deploy a stale build), `npm run plan` and the policy pack's config
// (toolchain/check/pack-config.ts passes each function's archive hash to the pack).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

export type Architecture = "arm64" | "x64";

export interface ManifestFile {
  /** Path inside the function's bundle folder, with forward slashes. */
  path: string;
  size: number;
  sha256: string;
}

export interface ManifestFunction {
  /** Folder under dist/ holding the bundle. */
  directory: string;
  /** Lambda handler string, e.g. "index.handler". */
  handler: string;
  /** sha256 over the bundle tree: sorted `path\0sha256\n` lines. */
  bundleHash: string;
  /** The deployment package under dist/ (`<directory>.zip`), file modes recorded: what the program deploys. */
  archive: string;
  /**
   * The content hash the Pulumi engine computes for `FileArchive("dist/<archive>")`
   * (the sha256 of the zip's bytes) and hands a policy pack with the
   * function's code: what working-build matches the deployed archive against.
   */
  archiveHash: string;
  files: ManifestFile[];
  /** Native packages shipped beside the bundle, as name@version (sharp's, for example). */
  nativePackages: string[];
}

export interface BuildManifest {
  schemaVersion: 1;
  architecture: Architecture;
  runtime: "nodejs22.x";
  /** sha256 over every file under the source roots (see SOURCE_ROOTS). */
  sourceHash: string;
  esbuildVersion: string;
  sharpVersion: string;
  functions: Record<string, ManifestFunction>;
  /** Set by `npm run build -- --function NAME`: only some functions were built, so it must not be deployed. */
  partial?: boolean;
}

/** What a build depends on: the handlers, the contracts they import, the lockfile and the build itself. */
export const SOURCE_ROOTS = ["handlers", "contracts", "package-lock.json", join("toolchain", "build")];

export const MANIFEST_PATH = join("dist", "manifest.json");

function listFiles(root: string, entry: string): string[] {
  const full = join(root, entry);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [entry];
  return readdirSync(full, { withFileTypes: true })
    .filter((d) => d.name !== "node_modules" && !d.name.startsWith("."))
    .flatMap((d) => listFiles(root, join(entry, d.name)));
}

/** sha256 of `path\0sha256\n` lines, sorted by path, so the hash depends on content and names only. */
export function treeHash(entries: { path: string; sha256: string }[]): string {
  const h = createHash("sha256");
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${e.path}\0${e.sha256}\n`);
  }
  return h.digest("hex");
}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The hash a fresh build of this checkout would record as `sourceHash`. */
export function computeSourceHash(repoRoot: string): string {
  const files = SOURCE_ROOTS.flatMap((r) => listFiles(repoRoot, r));
  return treeHash(files.map((f) => ({ path: relative(repoRoot, join(repoRoot, f)).split(sep).join("/"), sha256: sha256File(join(repoRoot, f)) })));
}

export class ManifestError extends Error {}

export function readManifest(repoRoot: string): BuildManifest {
  const path = join(repoRoot, MANIFEST_PATH);
  if (!existsSync(path)) {
    throw new ManifestError(`${MANIFEST_PATH} is missing: run \`npm run build\` before deploying or planning.`);
  }
  let parsed: BuildManifest;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as BuildManifest;
  } catch (err) {
    throw new ManifestError(`${MANIFEST_PATH} is not valid JSON (${(err as Error).message}): run \`npm run build\`.`);
  }
  if (parsed.schemaVersion !== 1) {
    throw new ManifestError(`${MANIFEST_PATH} has schemaVersion ${String(parsed.schemaVersion)}, expected 1: run \`npm run build\`.`);
  }
  return parsed;
}

/** Reads the manifest and refuses it when the sources changed since it was built. */
export function readFreshManifest(repoRoot: string): BuildManifest {
  const manifest = readManifest(repoRoot);
  if (manifest.partial === true) {
    throw new ManifestError(
      `${MANIFEST_PATH} holds only ${Object.keys(manifest.functions).join(", ")} (built with --function): run \`npm run build\` to build every function.`,
    );
  }
  const current = computeSourceHash(repoRoot);
  if (manifest.sourceHash !== current) {
    throw new ManifestError(
      `${MANIFEST_PATH} is stale: it was built from sources ${manifest.sourceHash.slice(0, 12)}, ` +
        `the checkout is ${current.slice(0, 12)} (handlers/, contracts/, package-lock.json or toolchain/build/ changed). Run \`npm run build\`.`,
    );
  }
  return manifest;
}
