// esbuild for one function: handlers/<name>/index.ts -> index.js (CommonJS,
// node22). Native packages stay external; the metafile tells which ones the
// function actually reaches, so only those ship beside its bundle.
import { build, formatMessages, version as esbuildVersion, type BuildFailure, type Message, type Metafile } from "esbuild";
import { join, relative, sep } from "node:path";
import { compareStrings } from "./files";
import { HANDLERS_DIRECTORY } from "./functions";
import { SHIPPED_NATIVE_PACKAGES } from "./native-packages";

export { esbuildVersion };

/**
 * Optional peers that libraries `require` inside try/catch and that never ship
 * (pg falls back to its JavaScript client without pg-native).
 */
const NEVER_SHIPPED = ["pg-native"];

export interface BundleOutput {
  /** Path inside the function folder (forward slashes) and contents. */
  files: { path: string; contents: Uint8Array }[];
  /** Shipped native packages the bundle requires at run time, sorted. */
  nativeImports: string[];
  warnings: string[];
}

export class BundleError extends Error {
  constructor(
    readonly functionName: string,
    readonly details: string,
  ) {
    super(`esbuild could not bundle function "${functionName}" (${HANDLERS_DIRECTORY}/${functionName}/index.ts):\n${details}`);
  }
}

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The shipped native packages a metafile's outputs import. */
export function nativeImportsOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (imp.external && SHIPPED_NATIVE_PACKAGES.includes(packageOf(imp.path))) found.add(packageOf(imp.path));
    }
  }
  return [...found].sort(compareStrings);
}

async function describe(messages: Message[], kind: "error" | "warning"): Promise<string[]> {
  return formatMessages(messages, { kind, color: false });
}

export async function bundleFunction(repoRoot: string, name: string, outDir: string): Promise<BundleOutput> {
  let result;
  try {
    result = await build({
      absWorkingDir: repoRoot, // every path esbuild writes (comments, metafile) is relative to the checkout
      entryPoints: [{ in: join(HANDLERS_DIRECTORY, name, "index.ts"), out: "index" }],
      outdir: outDir,
      write: false,
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      // Unminified: stack traces in CloudWatch stay readable without source maps (which would double the size).
      minify: false,
      sourcemap: false,
      // Licence notices go to index.js.LEGAL.txt, in esbuild's own stable order.
      legalComments: "external",
      charset: "utf8",
      external: [...SHIPPED_NATIVE_PACKAGES, ...NEVER_SHIPPED],
      metafile: true,
      logLevel: "silent",
    });
  } catch (err) {
    const failure = err as Partial<BuildFailure>;
    if (Array.isArray(failure.errors) && failure.errors.length > 0) {
      throw new BundleError(name, (await describe(failure.errors, "error")).join("").trim());
    }
    throw new BundleError(name, err instanceof Error ? err.message : String(err));
  }
  const files = result.outputFiles
    .map((f) => ({ path: relative(outDir, f.path).split(sep).join("/"), contents: f.contents }))
    .sort((a, b) => compareStrings(a.path, b.path));
  return { files, nativeImports: nativeImportsOf(result.metafile), warnings: await describe(result.warnings, "warning") };
}
