// CLI: npm run build -- [--arch arm64|x64] [--out DIR] [--function NAME]...
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { buildFunctions, DEFAULT_ARCHITECTURE } from "./build";
import type { Architecture, BuildManifest } from "../../handlers/build-manifest";

const USAGE = `usage: npm run build -- [--arch arm64|x64] [--out DIR] [--function NAME]...
  --arch       Lambda architecture of the native packages (default ${DEFAULT_ARCHITECTURE})
  --out        output folder (default dist/)
  --function   build only this function (repeatable); the manifest is then partial and not deployable`;

function parseArchitecture(value: string | undefined): Architecture {
  if (value === undefined) return DEFAULT_ARCHITECTURE;
  if (value === "arm64" || value === "x64") return value;
  throw new Error(`--arch must be arm64 or x64, not "${value}".`);
}

function summary(manifest: BuildManifest): string {
  const rows = Object.entries(manifest.functions).map(([name, f]) => {
    const bytes = f.files.reduce((n, file) => n + file.size, 0);
    const bundle = f.files.find((file) => file.path === "index.js")?.size ?? 0;
    const native = f.nativePackages.length > 0 ? `  + ${f.nativePackages.join(", ")}` : "";
    return `  ${name.padEnd(16)} ${(bytes / 1048576).toFixed(2).padStart(7)} MB (index.js ${(bundle / 1024).toFixed(0)} KB, ${f.files.length} files)${native}`;
  });
  return `built ${rows.length} function(s) for ${manifest.runtime} ${manifest.architecture} (esbuild ${manifest.esbuildVersion}, sharp ${manifest.sharpVersion}), source ${manifest.sourceHash.slice(0, 12)}:\n${rows.join("\n")}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      arch: { type: "string" },
      out: { type: "string" },
      function: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const repoRoot = resolve(__dirname, "..", "..");
  // `npm run` starts us in the package root; a relative --out means the caller's folder (INIT_CWD).
  const started = process.hrtime.bigint();
  const manifest = await buildFunctions({
    repoRoot,
    arch: parseArchitecture(values.arch),
    ...(values.out !== undefined ? { outDir: resolve(process.env.INIT_CWD ?? process.cwd(), values.out) } : {}),
    ...(values.function !== undefined ? { functions: values.function } : {}),
    log: (line) => process.stderr.write(`build: ${line}\n`),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${summary(manifest)}\nin ${seconds.toFixed(1)} s\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  if (String((err as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS")) process.stderr.write(`${USAGE}\n`);
  process.exitCode = 1;
});
