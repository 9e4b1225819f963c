// The policy pack's config, in the format of `pulumi preview --policy-pack-config FILE`:
// `{ "<policy>": "<level>" | { "enforcementLevel"?: "<level>", ...properties } }`
// (JSON, or YAML with the same shape). Waivers are the `waivers` property of
// the policy they waive.
//
// One function makes the file both paths use for a stack of this program
// (stackPackConfigDocument): what is particular to the program
// (infra/policy-config/program.ts), then the stack's own settings
// (infra/policy-config/<stack>.json: approved log destinations, waivers;
// objects merge key by key, lists concatenate, the stack's value wins), then
// the build manifest of dist/ as working-build's `builds`. `npm run check -- --stack`
// computes it in memory; CI writes it with
// `npm run policy-config -- --stack NAME --out FILE` after `npm run build` and
// hands it to `pulumi preview/up --policy-pack policies --policy-pack-config FILE`.
import type { EnforcementLevel } from "@pulumi/policy";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { programPackConfig } from "../../infra/policy-config/program";
import { readWaivers, type WaiverEntry } from "../../policies/waivers";
import { ManifestError, readFreshManifest, type BuildManifest } from "../../handlers/build-manifest";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Where the program's own pack config lives, relative to the repository root. */
export const POLICY_CONFIG_DIR = join("infra", "policy-config");

const REPO_ROOT = resolve(__dirname, "..", "..");

export interface PolicyConfigEntry {
  enforcementLevel?: EnforcementLevel;
  properties: Record<string, unknown>;
}

export type PackConfig = Record<string, PolicyConfigEntry>;

export class PackConfigError extends Error {}

export function parsePackConfig(doc: unknown, source: string): PackConfig {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new PackConfigError(`${source}: expected an object mapping policy names to a level or { enforcementLevel, ...config }`);
  }
  const out: PackConfig = {};
  for (const [policy, value] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof value === "string") {
      if (!ENFORCEMENT_LEVELS.includes(value as EnforcementLevel)) {
        throw new PackConfigError(`${source}: ${policy}: "${value}" is not an enforcement level; expected one of ${ENFORCEMENT_LEVELS.join(", ")}`);
      }
      out[policy] = { enforcementLevel: value as EnforcementLevel, properties: {} };
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new PackConfigError(`${source}: ${policy}: expected a level or an object, got ${JSON.stringify(value)}`);
    }
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined && !ENFORCEMENT_LEVELS.includes(enforcementLevel as EnforcementLevel)) {
      throw new PackConfigError(`${source}: ${policy}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}`);
    }
    out[policy] = { ...(enforcementLevel !== undefined ? { enforcementLevel: enforcementLevel as EnforcementLevel } : {}), properties };
  }
  return out;
}

function readDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PackConfigError(`cannot read policy config ${path}: ${(e as Error).message}`);
  }
  try {
    return path.endsWith(".json") ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (e) {
    throw new PackConfigError(`${path} is not valid ${path.endsWith(".json") ? "JSON" : "YAML"}: ${(e as Error).message}`);
  }
}

export function readPackConfig(path: string): PackConfig {
  return parsePackConfig(readDocument(path), path);
}

type Doc = Record<string, unknown>;

function isDoc(v: unknown): v is Doc {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `over` on top of `base`: objects merge key by key, lists concatenate, anything else from `over`. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (Array.isArray(base) && Array.isArray(over)) return [...(base as unknown[]), ...(over as unknown[])];
  if (isDoc(base) && isDoc(over)) {
    const out: Doc = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeConfig(base[k], v);
    return out;
  }
  return over;
}

/** working-build's `builds` entry for a build manifest: each function's archive hash, as the engine will compute it. */
export function manifestBuild(manifest: BuildManifest, name: string): Doc {
  if (manifest.partial === true)
    throw new ManifestError(`dist/manifest.json holds only ${Object.keys(manifest.functions).join(", ")} (built with --function); run \`npm run build\``);
  const artifacts: Doc = {};
  for (const [fn, entry] of Object.entries(manifest.functions)) {
    if (typeof entry.archiveHash !== "string")
      throw new ManifestError(`dist/manifest.json has no archiveHash for ${fn}: it was written by an older build; run \`npm run build\``);
    artifacts[fn] = { archiveHash: entry.archiveHash };
  }
  return { name, sourceHash: manifest.sourceHash, artifacts };
}

function projectName(repoRoot: string): string {
  const doc = parseYaml(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")) as { name?: unknown } | null;
  if (typeof doc?.name !== "string") throw new PackConfigError("Pulumi.yaml has no project name");
  return doc.name;
}

/** The stack's own settings file, infra/policy-config/<stack>.json (optional). */
export function stackConfigFile(repoRoot: string, stack: string): string {
  return join(repoRoot, POLICY_CONFIG_DIR, `${stack}.json`);
}

/**
 * The one config document for a stack of this program, as JSON for
 * --policy-pack-config: the program's settings, then the stack's file, then
 * the fresh build manifest of dist/ (a missing, stale or partial build is an error).
 */
export function stackPackConfigDocument(stack: string, repoRoot: string = REPO_ROOT): Doc {
  let doc: unknown = programPackConfig();
  const file = stackConfigFile(repoRoot, stack);
  if (existsSync(file)) {
    const next = readDocument(file);
    parsePackConfig(next, file);
    doc = mergeConfig(doc, next);
  }
  const build = manifestBuild(readFreshManifest(repoRoot), projectName(repoRoot));
  return mergeConfig(doc, { "working-build": { builds: [build] } }) as Doc;
}

export function stackPackConfig(stack: string, repoRoot: string = REPO_ROOT): PackConfig {
  return parsePackConfig(stackPackConfigDocument(stack, repoRoot), `pack config of stack ${stack}`);
}

/** Every waiver in the config, classified as the pack classifies it. */
export function listWaivers(config: PackConfig, today: string): WaiverEntry[] {
  return Object.entries(config).flatMap(([policy, entry]) => readWaivers(policy, entry.properties, today));
}

function writeStackPackConfig(values: { stack: string; out?: string }): void {
  if (!existsSync(join(REPO_ROOT, `Pulumi.${values.stack}.yaml`)))
    throw new PackConfigError(`unknown stack "${values.stack}": there is no Pulumi.${values.stack}.yaml`);
  const text = `${JSON.stringify(stackPackConfigDocument(values.stack), null, 2)}\n`;
  if (values.out === undefined) process.stdout.write(text);
  else {
    // `npm run` starts us in the package root; a relative --out means the caller's folder (INIT_CWD).
    const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out);
    writeFileSync(out, text);
    process.stderr.write(`wrote ${out}\n`);
  }
}

if (require.main === module) {
  // Loaded only as the command line: the checks import this module for its functions.
  const { cliProgram, exitWith, runCli } = require("../../cli/exit-codes") as typeof import("../../cli/exit-codes");
  const program = cliProgram(
    "npm run policy-config --",
    "Write the policy pack config of a stack (infra/policy-config/, dist/manifest.json) for `pulumi preview|up --policy-pack policies --policy-pack-config FILE`; printed without --out",
  )
    .requiredOption("--stack <name>", "the stack (Pulumi.<name>.yaml)")
    .option("--out <file>", "write it to this file instead of printing it")
    .action((values: { stack: string; out?: string }) => {
      try {
        writeStackPackConfig(values);
      } catch (e) {
        const known = e instanceof PackConfigError || e instanceof ManifestError;
        throw known ? e : new Error(String((e as Error).stack ?? e));
      }
    });
  void runCli(program).then(exitWith);
}
