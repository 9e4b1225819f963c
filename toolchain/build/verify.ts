// Whether the bundles on disk are still the ones a manifest describes: a
// fresh manifest beside hand-edited or half-deleted bundles must not deploy.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeTree } from "./files";
import { sha256Hex } from "./zip";
import { treeHash, type BuildManifest } from "../../handlers/build-manifest";

/** One line per function whose folder is missing or whose files differ from the manifest; empty when all match. */
export function findBundleDrift(outDir: string, manifest: BuildManifest): string[] {
  const drift: string[] = [];
  for (const [name, fn] of Object.entries(manifest.functions)) {
    const dir = join(outDir, fn.directory);
    if (!existsSync(dir)) {
      drift.push(`${name}: ${fn.directory}/ is missing`);
      continue;
    }
    const actual = treeHash(describeTree(dir));
    if (actual !== fn.bundleHash) drift.push(`${name}: files differ from the manifest (tree ${actual.slice(0, 12)}, manifest ${fn.bundleHash.slice(0, 12)})`);
    const zip = join(outDir, fn.archive ?? "");
    if (fn.archive === undefined || !existsSync(zip)) drift.push(`${name}: its zip ${fn.archive ?? "(none in the manifest)"} is missing`);
    else if (sha256Hex(readFileSync(zip)) !== fn.archiveHash) drift.push(`${name}: ${fn.archive} differs from the manifest's archiveHash`);
  }
  return drift;
}
