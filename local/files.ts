// Files to upload: every regular file under the given files and folders
// (recursively, dotfiles skipped), each with the raw key it will get.
import { readdirSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";

export interface UploadFile {
  path: string;
  /** Raw object key: `<prefix><path relative to its folder>`, unique within one call. */
  key: string;
}

export function collectFiles(paths: readonly string[], prefix: string): UploadFile[] {
  const files: UploadFile[] = [];
  const used = new Set<string>();
  const add = (path: string, name: string) => {
    let key = `${prefix}${name}`;
    for (let n = 2; used.has(key); n++) key = `${prefix}${n}-${name}`;
    used.add(key);
    files.push({ path, key });
  };
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new Error(`${path} does not exist; give image files or folders of them`);
    }
    if (stat.isFile()) add(path, basename(path));
    else if (stat.isDirectory()) for (const file of walk(path)) add(file, relative(path, file).split("\\").join("/"));
    else throw new Error(`${path} is neither a file nor a folder`);
  }
  return files;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
