// Which packages a native module needs at run time on the Lambda platform,
// read from the root lockfile so the shipped versions are exactly the ones
// the project pinned (not whatever the registry offers today).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Architecture } from "../../handlers/build-manifest";
import { compareStrings } from "./files";

/** Packages the bundles leave to `require` at run time and that ship beside them in node_modules/. */
export const SHIPPED_NATIVE_PACKAGES = ["sharp"];

export interface LockPackage {
  version?: string;
  integrity?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
}

export interface Platform {
  os: "linux";
  cpu: Architecture;
  libc: "glibc";
}

/** Lambda's Node.js runtimes run Amazon Linux: glibc. */
export function lambdaPlatform(arch: Architecture): Platform {
  return { os: "linux", cpu: arch, libc: "glibc" };
}

export interface PinnedPackage {
  name: string;
  version: string;
  integrity: string;
  /** Declares os/cpu/libc: npm installs it only as an optional dependency when told the target platform. */
  platformSpecific: boolean;
}

export function readLockfile(repoRoot: string): Lockfile {
  const path = join(repoRoot, "package-lock.json");
  const lock = JSON.parse(readFileSync(path, "utf8")) as Lockfile;
  if (lock.lockfileVersion < 2 || typeof lock.packages !== "object") {
    throw new Error(`${path} has lockfileVersion ${String(lock.lockfileVersion)}; the build needs version 2 or 3 (npm 7+). Run \`npm install\` to upgrade it.`);
  }
  return lock;
}

/** npm's os/cpu/libc fields: absent means any; "!x" excludes x. */
function fieldAllows(field: string[] | undefined, value: string): boolean {
  if (field === undefined || field.length === 0) return true;
  if (field.includes(`!${value}`)) return false;
  const positives = field.filter((v) => !v.startsWith("!"));
  return positives.length === 0 || positives.includes(value);
}

export function runsOn(pkg: LockPackage, platform: Platform): boolean {
  return fieldAllows(pkg.os, platform.os) && fieldAllows(pkg.cpu, platform.cpu) && fieldAllows(pkg.libc, platform.libc);
}

/** Node's lookup: `<from>/node_modules/<name>`, then each ancestor's node_modules. */
function resolveInLock(lock: Lockfile, from: string, name: string): string | undefined {
  let base = from;
  while (true) {
    const candidate = base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (lock.packages[candidate] !== undefined) return candidate;
    if (base === "") return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut < 0 ? "" : base.slice(0, cut);
  }
}

/**
 * The run-time closure of `rootName` for a platform: its dependencies and the
 * optional dependencies that install on that platform, recursively, with the
 * versions and integrity hashes the lockfile pins. Sorted by name.
 */
export function runtimeClosure(lock: Lockfile, rootName: string, platform: Platform): PinnedPackage[] {
  const found = new Map<string, PinnedPackage>();
  const visit = (lockPath: string, name: string): void => {
    const pkg = lock.packages[lockPath];
    const existing = found.get(name);
    if (existing !== undefined) {
      if (existing.version !== pkg.version) {
        throw new Error(
          `package-lock.json pins two versions of ${name} (${existing.version}, ${String(pkg.version)}) under ${rootName}; the build ships one flat node_modules and cannot hold both.`,
        );
      }
      return;
    }
    if (pkg.version === undefined || pkg.integrity === undefined) {
      throw new Error(`package-lock.json entry ${lockPath} has no version or integrity; run \`npm install\` to repair the lockfile.`);
    }
    const platformSpecific = [pkg.os, pkg.cpu, pkg.libc].some((f) => f !== undefined && f.length > 0);
    found.set(name, { name, version: pkg.version, integrity: pkg.integrity, platformSpecific });
    const deps: [string, boolean][] = [
      ...Object.keys(pkg.dependencies ?? {}).map((d): [string, boolean] => [d, false]),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((d): [string, boolean] => [d, true]),
    ];
    for (const [dep, optional] of deps) {
      const depPath = resolveInLock(lock, lockPath, dep);
      if (depPath === undefined) {
        if (optional) continue; // npm may leave out optional packages of other platforms
        throw new Error(`package-lock.json has no entry for ${dep}, a dependency of ${name}; run \`npm install\`.`);
      }
      if (!runsOn(lock.packages[depPath], platform)) {
        if (optional) continue;
        throw new Error(`${dep} (needed by ${name}) does not install on ${platform.os}-${platform.cpu}-${platform.libc}.`);
      }
      visit(depPath, dep);
    }
  };
  const rootPath = resolveInLock(lock, "", rootName);
  if (rootPath === undefined) {
    throw new Error(`package-lock.json has no ${rootName}: add it with \`npm install --save-exact ${rootName}\` before building a function that imports it.`);
  }
  visit(rootPath, rootName);
  return [...found.values()].sort((a, b) => compareStrings(a.name, b.name));
}
