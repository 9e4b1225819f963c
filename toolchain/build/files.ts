// Deterministic file handling for the build: sorted walks, normalised modes,
// one fixed mtime, sorted JSON. Nothing here reads an mtime: freshness is
// decided by content hashes only (see manifest.ts).
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sha256File, type ManifestFile } from "../../handlers/build-manifest";

export const FILE_MODE = 0o644;
export const DIRECTORY_MODE = 0o755;
/** Files the build marks executable (build.ts EXECUTABLE_FILES) keep this mode; every other file gets FILE_MODE. */
export const EXECUTABLE_MODE = 0o755;
/**
 * Every file and folder of a build gets this mtime (1980-01-01, the earliest
 * a zip entry can hold), so an archive made from dist/ is reproducible too.
 */
export const FIXED_MTIME = new Date("1980-01-01T00:00:00Z");

/** Code-unit order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Relative paths (forward slashes) of every file under `root`, sorted. Symlinks are refused: a bundle must be self-contained. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const full = rel === "" ? root : join(root, rel);
    for (const name of readdirSync(full).sort(compareStrings)) {
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync(join(full, name));
      if (st.isSymbolicLink()) throw new Error(`${join(full, name)} is a symbolic link; bundles must hold real files only.`);
      if (st.isDirectory()) walk(childRel);
      else if (st.isFile()) out.push(childRel);
    }
  };
  walk("");
  return out;
}

/** Creates the parent folders of `path` with the normalised mode. */
function ensureParent(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: DIRECTORY_MODE });
}

export function writeFileNormalised(path: string, data: string | Uint8Array): void {
  ensureParent(path);
  writeFileSync(path, data, { mode: FILE_MODE });
  chmodSync(path, FILE_MODE); // mode in writeFileSync only applies to new files and is masked by umask
}

/** Copies a folder tree file by file in sorted order; returns the copied relative paths. */
export function copyTreeNormalised(from: string, to: string, filter: (relPath: string) => boolean = () => true): string[] {
  const copied: string[] = [];
  for (const rel of listTree(from)) {
    if (!filter(rel)) continue;
    const target = join(to, rel);
    ensureParent(target);
    copyFileSync(join(from, rel), target);
    chmodSync(target, FILE_MODE);
    copied.push(rel);
  }
  return copied;
}

/** Sets the normalised mode (executable or not, nothing else) and the fixed mtime on every folder and file under `root` (and root itself). */
export function normaliseTree(root: string): void {
  const visit = (path: string): void => {
    const st = lstatSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort(compareStrings)) visit(join(path, name));
      chmodSync(path, DIRECTORY_MODE);
    } else {
      chmodSync(path, (st.mode & 0o111) !== 0 ? EXECUTABLE_MODE : FILE_MODE);
    }
    utimesSync(path, FIXED_MTIME, FIXED_MTIME);
  };
  visit(root);
}

/** The manifest's view of a folder: every file with size and sha256, sorted by path. */
export function describeTree(root: string): ManifestFile[] {
  return listTree(root).map((path) => {
    const full = join(root, path);
    return { path, size: lstatSync(full).size, sha256: sha256File(full) };
  });
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function sortKeys(value: unknown): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) return value;
  throw new Error(`cannot write ${typeof value} as JSON`);
}

/** JSON with keys sorted at every level, two-space indent, trailing newline: one text per value. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}
