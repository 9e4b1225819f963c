// `ensureFreshBuild`: the manifest of a build matching this checkout, building
// first when dist/ is missing, stale or its bundles were changed by hand.
// `npm run plan`, `npm run check` and the tests call it so a fresh clone needs
// no separate build step.
import { dirname, join, resolve } from "node:path";
import { buildFunctions } from "./build";
import { withLock } from "./lock";
import { CACHE_DIRECTORY } from "./native-cache";
import { MANIFEST_PATH, ManifestError, readFreshManifest, type Architecture, type BuildManifest } from "../../handlers/build-manifest";
import { findBundleDrift } from "./verify";

export interface EnsureOptions {
  /** Rebuild when the fresh manifest is for another architecture. Any architecture is accepted when unset. */
  architecture?: Architecture;
  log?: (line: string) => void;
  /** The build to run when needed (tests replace it); defaults to the full build into <repoRoot>/dist. */
  build?: (repoRoot: string) => Promise<BuildManifest>;
}

/** Builds in flight in this process, by checkout: callers arriving meanwhile share one build. */
const inFlight = new Map<string, Promise<BuildManifest>>();

/** The manifest when it matches the sources, the architecture asked for and the bundles on disk; else null. */
function freshOrNull(repoRoot: string, architecture: Architecture | undefined): BuildManifest | null {
  try {
    const manifest = readFreshManifest(repoRoot);
    if (architecture !== undefined && manifest.architecture !== architecture) return null;
    return findBundleDrift(join(repoRoot, dirname(MANIFEST_PATH)), manifest).length === 0 ? manifest : null;
  } catch (err) {
    if (err instanceof ManifestError) return null;
    throw err;
  }
}

export async function ensureFreshBuild(repoRoot: string, options: EnsureOptions = {}): Promise<BuildManifest> {
  const root = resolve(repoRoot);
  const running = inFlight.get(root);
  if (running !== undefined) {
    const manifest = await running;
    if (options.architecture === undefined || manifest.architecture === options.architecture) return manifest;
  }
  const fresh = freshOrNull(root, options.architecture);
  if (fresh !== null) return fresh;

  const log = options.log ?? ((line: string) => process.stderr.write(`build: ${line}\n`));
  const build =
    options.build ??
    ((r: string) =>
      // Other processes (parallel test runs, plan) may be building the same checkout: the first builds, the rest find it fresh.
      withLock(join(r, CACHE_DIRECTORY, "locks", "ensure.lock"), async () => {
        const builtMeanwhile = freshOrNull(r, options.architecture);
        if (builtMeanwhile !== null) return builtMeanwhile;
        log("dist/ is missing, stale or changed; running the build");
        return buildFunctions({ repoRoot: r, ...(options.architecture !== undefined ? { arch: options.architecture } : {}), log });
      }));
  const started = build(root).finally(() => inFlight.delete(root));
  inFlight.set(root, started);
  return started;
}
