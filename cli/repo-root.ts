// The checkout's root folder, found the same way from the TypeScript sources
// and from a compiled CLI (bin/compiled-cli.js bundles them elsewhere, so a
// path counted in `..` from __dirname would point somewhere else there).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "thumbnail-pipeline";

function isRoot(dir: string): boolean {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The nearest folder at or above `from` whose package.json is this project's. */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (isRoot(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`no ${PACKAGE_NAME} checkout above ${from}`);
  }
}

export const REPO_ROOT = findRepoRoot();
