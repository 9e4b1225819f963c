// A per-platform install of a native package (sharp) kept in .build-cache/, made
// the way sharp documents for Lambda: `npm install --cpu=<arch> --os=linux
// --libc=glibc sharp@<version>`. Versions are pinned from the root lockfile and
// checked against its integrity hashes, so a cold cache on another machine
// ships the same bytes; a warm cache never touches the registry.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { withLock } from "./lock";
import type { Architecture } from "../../handlers/build-manifest";
import { lambdaPlatform, runtimeClosure, type Lockfile, type PinnedPackage } from "./native-packages";

const execFileAsync = promisify(execFile);

export const CACHE_DIRECTORY = ".build-cache";

export interface NativeInstall {
  /** Folder whose node_modules/ holds the packages. */
  directory: string;
  packages: PinnedPackage[];
}

function cacheKey(rootName: string, arch: Architecture, packages: PinnedPackage[]): string {
  const root = packages.find((p) => p.name === rootName);
  const digest = createHash("sha256")
    .update(packages.map((p) => `${p.name}@${p.version} ${p.integrity}`).join("\n"))
    .digest("hex")
    .slice(0, 12);
  return `${rootName.replace(/[@/]/g, "_")}-${root?.version ?? "unknown"}-linux-${arch}-glibc-${digest}`;
}

/** npm settings that must reach the child (registry, cache, proxies); the rest of `npm run`'s environment (prefix, workspace...) must not. */
const PASSED_NPM_CONFIG =
  /^npm_config_(registry|@[^:]+:registry|cache|userconfig|globalconfig|https?_proxy|proxy|noproxy|strict_ssl|cafile|ca|fetch_[a-z_]+)$/i;

function npmEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !PASSED_NPM_CONFIG.test(key)) continue;
    env[key] = value;
  }
  return env;
}

interface HiddenLockfile {
  packages?: Record<string, { version?: string; integrity?: string }>;
}

/** Compares what npm installed with what the root lockfile pins. */
function verifyInstalled(directory: string, packages: PinnedPackage[]): void {
  const hidden = join(directory, "node_modules", ".package-lock.json");
  const installed = (JSON.parse(readFileSync(hidden, "utf8")) as HiddenLockfile).packages ?? {};
  for (const p of packages) {
    const got = installed[`node_modules/${p.name}`];
    if (got === undefined) throw new Error(`npm did not install ${p.name}@${p.version} into ${directory}.`);
    if (got.version !== p.version || got.integrity !== p.integrity) {
      throw new Error(
        `npm installed ${p.name}@${String(got.version)} (${String(got.integrity)}) but package-lock.json pins ${p.version} (${p.integrity}); ` +
          `the registry served different bytes than the lockfile expects.`,
      );
    }
  }
}

async function install(directory: string, arch: Architecture, packages: PinnedPackage[]): Promise<void> {
  const platform = lambdaPlatform(arch);
  mkdirSync(directory, { recursive: true });
  // Platform packages can't be direct dependencies (npm checks those against this machine); they come in
  // as the root's exact optional dependencies, and verifyInstalled checks their versions afterwards.
  const dependencies = Object.fromEntries(packages.filter((p) => !p.platformSpecific).map((p) => [p.name, p.version]));
  writeFileSync(join(directory, "package.json"), `${JSON.stringify({ name: "native-build-cache", private: true, dependencies }, null, 2)}\n`);
  const args = [
    "install",
    `--cpu=${platform.cpu}`,
    `--os=${platform.os}`,
    `--libc=${platform.libc}`,
    "--ignore-scripts", // prebuilt binaries only; nothing to compile
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--prefix",
    directory,
  ];
  try {
    await execFileAsync(process.platform === "win32" ? "npm.cmd" : "npm", args, { cwd: directory, env: npmEnvironment(), maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const tail = (e.stderr ?? e.message).trim().split("\n").slice(-15).join("\n");
    throw new Error(
      `\`npm ${args.slice(0, 4).join(" ")} ${packages.map((p) => `${p.name}@${p.version}`).join(" ")}\` failed ` +
        `(the build needs the npm registry once per version and architecture, then uses ${CACHE_DIRECTORY}/):\n${tail}`,
      { cause: err },
    );
  }
  verifyInstalled(directory, packages);
}

/**
 * Returns an install of `rootName` and its run-time closure for Lambda on
 * `arch`, from the cache when present, otherwise installs it (once, even when
 * several processes ask at the same time).
 */
export async function ensureNativeInstall(
  repoRoot: string,
  lock: Lockfile,
  rootName: string,
  arch: Architecture,
  log: (line: string) => void,
): Promise<NativeInstall> {
  const packages = runtimeClosure(lock, rootName, lambdaPlatform(arch));
  const cacheRoot = join(repoRoot, CACHE_DIRECTORY);
  const key = cacheKey(rootName, arch, packages);
  const directory = join(cacheRoot, key);
  const marker = join(directory, "complete.json");
  if (existsSync(marker)) return { directory, packages };
  await withLock(join(cacheRoot, "locks", `${key}.lock`), async () => {
    if (existsSync(marker)) return;
    log(`installing ${packages.map((p) => `${p.name}@${p.version}`).join(", ")} for linux-${arch} into ${CACHE_DIRECTORY}/${key}`);
    const staging = `${directory}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    try {
      await install(staging, arch, packages);
      writeFileSync(join(staging, "complete.json"), `${JSON.stringify(packages, null, 2)}\n`);
      rmSync(directory, { recursive: true, force: true });
      renameSync(staging, directory);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
  return { directory, packages };
}
