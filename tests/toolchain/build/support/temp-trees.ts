// Shared by the build tests: temp folders that are removed afterwards, and a
// byte-level snapshot of a folder tree (content, mode, mtime) to compare builds.
import { lstatSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { listTree } from "../../../../toolchain/build/files";

export const REPO_ROOT = resolve(__dirname, "..", "..", "..", "..");

/** A fresh folder under the OS temp dir; `cleanup()` removes every folder made so far. */
export function makeTempDirs(): { make: (prefix: string) => string; cleanup: () => void } {
  const made: string[] = [];
  return {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TreeEntry {
  path: string;
  mode: number;
  mtimeMs: number;
  bytes: Buffer;
}

/** Every file under root (and each folder's mode and mtime, keyed by its path with a trailing slash). */
export function snapshotTree(root: string): TreeEntry[] {
  const files = listTree(root);
  const dirs = new Set<string>([""]);
  for (const f of files) {
    const parts = f.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const dirEntries = [...dirs].sort().map((d) => {
    const st = lstatSync(join(root, d));
    return { path: `${d}/`, mode: st.mode, mtimeMs: st.mtimeMs, bytes: Buffer.alloc(0) };
  });
  const fileEntries = files.map((f) => {
    const full = join(root, f);
    const st = lstatSync(full);
    return { path: f, mode: st.mode, mtimeMs: st.mtimeMs, bytes: readFileSync(full) };
  });
  return [...dirEntries, ...fileEntries];
}
