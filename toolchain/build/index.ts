// CLI: npm run build -- [--arch arm64|x64] [--out DIR] [--function NAME]...
// Bundles every handler into dist/ and compiles the repository's command
// lines (bin/compiled-cli.js), so both are current after one build.
import { join, resolve } from "node:path";
import { Option } from "commander";
import { collect } from "../../cli/arguments";
import { cliProgram, exitWith, runCli } from "../../cli/exit-codes";
import { REPO_ROOT } from "../../cli/repo-root";
import type { Architecture, BuildManifest } from "../../handlers/build-manifest";
import { buildFunctions, DEFAULT_ARCHITECTURE } from "./build";

const ARCHITECTURES: readonly Architecture[] = ["arm64", "x64"];

function summary(manifest: BuildManifest): string {
  const rows = Object.entries(manifest.functions).map(([name, f]) => {
    const bytes = f.files.reduce((n, file) => n + file.size, 0);
    const bundle = f.files.find((file) => file.path === "index.js")?.size ?? 0;
    const native = f.nativePackages.length > 0 ? `  + ${f.nativePackages.join(", ")}` : "";
    return `  ${name.padEnd(16)} ${(bytes / 1048576).toFixed(2).padStart(7)} MB (index.js ${(bundle / 1024).toFixed(0)} KB, ${f.files.length} files)${native}`;
  });
  return `built ${rows.length} function(s) for ${manifest.runtime} ${manifest.architecture} (esbuild ${manifest.esbuildVersion}, sharp ${manifest.sharpVersion}), source ${manifest.sourceHash.slice(0, 12)}:\n${rows.join("\n")}`;
}

const program = cliProgram(
  "npm run build --",
  "Bundle every handler into dist/<function>/ with sharp for the target architecture, write dist/manifest.json, and compile the command lines",
);
program
  .addOption(new Option("--arch <arch>", "Lambda architecture of the native packages").choices(ARCHITECTURES).default(DEFAULT_ARCHITECTURE))
  .option("--out <dir>", "output folder (default dist/)")
  .option("--function <name>", "build only this function (repeatable); the manifest is then partial and not deployable", collect, [])
  .action(async (o: { arch: Architecture; out?: string; function: string[] }) => {
    const started = process.hrtime.bigint();
    const manifest = await buildFunctions({
      repoRoot: REPO_ROOT,
      arch: o.arch,
      // `npm run` starts us in the package root; a relative --out means the caller's folder (INIT_CWD).
      ...(o.out !== undefined ? { outDir: resolve(process.env.INIT_CWD ?? process.cwd(), o.out) } : {}),
      ...(o.function.length > 0 ? { functions: o.function } : {}),
      log: (line) => process.stderr.write(`build: ${line}\n`),
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript of bin/ (it runs without tsx)
    const cli = require(join(REPO_ROOT, "bin", "compiled-cli.js")) as { ENTRIES: Record<string, string>; ensureCompiled(name: string): string };
    for (const name of Object.keys(cli.ENTRIES)) cli.ensureCompiled(name);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`${summary(manifest)}\ncompiled command lines: ${Object.keys(cli.ENTRIES).join(", ")}\nin ${seconds.toFixed(1)} s\n`);
  });

void runCli(program).then(exitWith);
