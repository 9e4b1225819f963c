// esbuild for the functions: handlers/<name>/index.ts -> <name>/index.js
// (CommonJS, node22). Native packages stay external; the metafile tells which ones the
// function actually reaches, so only those ship beside its bundle.
import { build, formatMessages, version as esbuildVersion, type BuildFailure, type Metafile } from "esbuild";
import { join, relative, resolve, sep } from "node:path";
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
  /** Path inside the function folder (forward slashes) and contents, sorted by path. */
  files: { path: string; contents: Uint8Array }[];
  /** Shipped native packages the bundle requires at run time, sorted. */
  nativeImports: string[];
}

export interface FunctionFailure {
  functionName: string;
  /** esbuild's messages, formatted as on its command line. */
  details: string;
}

export class BundleError extends Error {
  constructor(
    readonly failures: FunctionFailure[],
    total: number,
  ) {
    super(
      `${failures.length} of ${total} function(s) failed to bundle:\n\n` +
        failures.map((f) => `esbuild could not bundle function "${f.functionName}" (${entryOf(f.functionName)}):\n${f.details}`).join("\n\n"),
    );
  }
}

function entryOf(name: string): string {
  return `${HANDLERS_DIRECTORY}/${name}/index.ts`;
}

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The shipped native packages one metafile output imports. */
export function nativeImportsOf(output: Metafile["outputs"][string]): string[] {
  const found = new Set<string>();
  for (const imp of output.imports) {
    if (imp.external && SHIPPED_NATIVE_PACKAGES.includes(packageOf(imp.path))) found.add(packageOf(imp.path));
  }
  return [...found].sort(compareStrings);
}

function run(repoRoot: string, names: string[], outRoot: string) {
  return build({
    absWorkingDir: repoRoot, // every path esbuild writes (comments, metafile) is relative to the checkout
    entryPoints: names.map((n) => ({ in: entryOf(n), out: `${n}/index` })),
    outdir: outRoot,
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
}

async function failureDetails(err: unknown): Promise<string> {
  const failure = err as Partial<BuildFailure>;
  if (Array.isArray(failure.errors) && failure.errors.length > 0) {
    return (await formatMessages(failure.errors, { kind: "error", color: false })).join("").trim();
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Bundles the functions into <outRoot>/<name>/ (in memory: nothing is written).
 * One esbuild run for all, so shared modules are parsed once; when it fails,
 * each function is built alone to say which ones are broken and why.
 */
export async function bundleFunctions(repoRoot: string, names: string[], outRoot: string, log: (line: string) => void): Promise<Map<string, BundleOutput>> {
  let result;
  try {
    result = await run(repoRoot, names, outRoot);
  } catch (err) {
    const alone = await Promise.allSettled(names.map((n) => run(repoRoot, [n], join(outRoot, ".alone"))));
    const failures: FunctionFailure[] = [];
    for (const [i, s] of alone.entries()) {
      if (s.status === "rejected") failures.push({ functionName: names[i], details: await failureDetails(s.reason) });
    }
    if (failures.length === 0) throw new Error(`esbuild failed on the functions together but not one by one:\n${await failureDetails(err)}`, { cause: err });
    throw new BundleError(failures, names.length);
  }
  // Warnings in our own code (import.meta in a CommonJS bundle, a require that can't resolve) can mean a crash at run time.
  for (const w of await formatMessages(result.warnings, { kind: "warning", color: false })) log(w.trim());
  const outputs = new Map<string, BundleOutput>(names.map((n) => [n, { files: [], nativeImports: [] }]));
  for (const file of result.outputFiles) {
    const rel = relative(outRoot, file.path).split(sep).join("/");
    const slash = rel.indexOf("/");
    const target = outputs.get(rel.slice(0, slash));
    if (target === undefined) throw new Error(`esbuild wrote ${rel}, which belongs to no function`);
    target.files.push({ path: rel.slice(slash + 1), contents: file.contents });
  }
  // Metafile keys are output paths relative to the working directory: <outRoot>/<name>/index.js and its LEGAL.txt.
  for (const [key, output] of Object.entries(result.metafile.outputs)) {
    const name = relative(outRoot, resolve(repoRoot, key)).split(sep)[0];
    const target = outputs.get(name);
    if (target === undefined) throw new Error(`esbuild's metafile lists ${key}, which belongs to no function`);
    target.nativeImports.push(...nativeImportsOf(output));
  }
  for (const o of outputs.values()) {
    o.files.sort((a, b) => compareStrings(a.path, b.path));
    o.nativeImports = [...new Set(o.nativeImports)].sort(compareStrings);
  }
  return outputs;
}
