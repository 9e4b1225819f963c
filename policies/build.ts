// working-build: what is deployed is what the build produced, from these
// sources, the same everywhere. The story's timed build had failed for months
// and nobody could redeploy; here a stale or missing build cannot deploy.
import type { PolicyResource } from "@pulumi/policy";
import { isAbsolute, posix, relative, resolve, sep } from "node:path";
import { ManifestError, readFreshManifest, type BuildManifest } from "../tools/build/manifest";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { isObject, str, tagsOf } from "./support/props";
import { T, regionOf } from "./support/resources";
import { proxyTarget } from "./support/runtime";

export const workingBuildSpec: PolicySpec = {
  name: "working-build",
  description:
    "Every function's code is a bundle named in a present, fresh build manifest (dist/manifest.json), its pipeline:bundle-hash tag equals the manifest's bundleHash, and each function has one bundle hash in every region.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Run `npm run build` on this commit, then preview again; deploy the code as FileArchive(`dist/<function>`) with tags pipeline:function and pipeline:bundle-hash taken from dist/manifest.json.",
};

/**
 * The pack lives in <repo>/policies; the program and the build live in the repo
 * root. SNOWFLAKE_GUARD_REPO_ROOT points it at another checkout (tests use a
 * prepared build there).
 */
export const REPO_ROOT = resolve(process.env.SNOWFLAKE_GUARD_REPO_ROOT ?? resolve(__dirname, ".."));

/** The manifest, or why there is none usable. Read once per run. */
export function loadManifest(repoRoot: string): BuildManifest | string {
  try {
    return readFreshManifest(repoRoot);
  } catch (e) {
    if (e instanceof ManifestError || e instanceof SyntaxError) return e.message;
    throw e;
  }
}

/** The path of a FileArchive as the policy runtime deserializes it (a Promise on the asset). */
async function archivePath(code: unknown): Promise<string | undefined> {
  if (!isObject(code)) return undefined;
  const archive = proxyTarget(code);
  if (!("path" in archive)) return undefined;
  const path: unknown = await archive.path;
  return str(path);
}

/** `dist/<dir>` relative to the repo root, with forward slashes, or undefined when outside the repo. */
function repoRelative(path: string, repoRoot: string): string | undefined {
  const rel = relative(repoRoot, isAbsolute(path) ? path : resolve(repoRoot, path));
  if (rel.startsWith("..")) return undefined;
  return posix.normalize(rel.split(sep).join("/"));
}

async function checkFunction(fn: PolicyResource, manifest: BuildManifest, repoRoot: string, ctx: CheckContext): Promise<{ key: string; hash: string } | undefined> {
  const region = regionOf(fn) ?? "(global)";
  const tags = ctx.inspect(fn, () => ({ key: str(tagsOf(fn)["pipeline:function"]), hash: str(tagsOf(fn)["pipeline:bundle-hash"]) }));
  if (!tags) return undefined;
  const { key, hash } = tags;
  if (!key) {
    ctx.report(fn, `${region}: ${fn.name} has no pipeline:function tag naming its bundle in the build manifest`);
    return undefined;
  }
  const bundle = manifest.functions[key];
  if (!bundle) {
    ctx.report(fn, `${region}: ${fn.name} deploys function "${key}", which the build manifest does not contain (it has ${Object.keys(manifest.functions).join(", ")})`);
    return undefined;
  }
  const path = await ctx.inspectAsync(fn, () => archivePath(fn.props.code));
  const expected = posix.join("dist", bundle.directory);
  if (path === undefined) {
    if (!ctx.inspect(fn, () => fn.props.code === undefined)) ctx.report(fn, `${region}: ${fn.name}'s code is not a FileArchive of ${expected}`);
    else ctx.report(fn, `${region}: ${fn.name} has no code archive; expected FileArchive(${expected})`);
  } else if (repoRelative(path, repoRoot) !== expected) {
    ctx.report(fn, `${region}: ${fn.name} deploys ${path}, not the bundle ${expected} the manifest names for ${key}`);
  }
  if (!hash) {
    ctx.report(fn, `${region}: ${fn.name} has no pipeline:bundle-hash tag; expected ${bundle.bundleHash}`);
    return undefined;
  }
  if (hash !== bundle.bundleHash) {
    ctx.report(fn, `${region}: ${fn.name} is tagged with bundle hash ${hash.slice(0, 12)}, but the build manifest's ${key} bundle is ${bundle.bundleHash.slice(0, 12)}`);
  }
  return { key, hash };
}

/** The check, with the repo root as a parameter so tests can point it at a prepared build. */
export function workingBuildCheck(repoRoot: string) {
  return async (stack: { ofType(...types: string[]): PolicyResource[] }, ctx: CheckContext): Promise<void> => {
    const functions = stack.ofType(T.lambda);
    if (functions.length === 0) return;
    const manifest = loadManifest(repoRoot);
    if (typeof manifest === "string") {
      for (const fn of functions) ctx.report(fn, `${regionOf(fn) ?? "(global)"}: ${fn.name} cannot be deployed from a working build: ${manifest}`);
      return;
    }
    const hashes = new Map<string, { fn: PolicyResource; hash: string }[]>();
    for (const fn of functions) {
      const seen = await checkFunction(fn, manifest, repoRoot, ctx);
      if (!seen) continue;
      hashes.set(seen.key, [...(hashes.get(seen.key) ?? []), { fn, hash: seen.hash }]);
    }
    // One function, one bundle everywhere: a region on other code is a snowflake even if each tag looks plausible.
    for (const [key, deployed] of hashes) {
      const counts = new Map<string, number>();
      for (const d of deployed) counts.set(d.hash, (counts.get(d.hash) ?? 0) + 1);
      if (counts.size < 2) continue;
      // The reference is the manifest's bundle when some region runs it (a tie of two regions must not blame the right one).
      const expected = manifest.functions[key]?.bundleHash;
      const majority = expected !== undefined && counts.has(expected) ? expected : [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
      for (const d of deployed.filter((x) => x.hash !== majority)) {
        ctx.report(d.fn, `${regionOf(d.fn) ?? "(global)"}: ${key} runs bundle ${d.hash.slice(0, 12)} here but ${majority.slice(0, 12)} in the other regions`);
      }
    }
  };
}

export const workingBuild = stackPolicy(workingBuildSpec, workingBuildCheck(REPO_ROOT));
