// A Pulumi project folder as the CLI reads it: Pulumi.yaml (name, main,
// project-level config) and Pulumi.<stack>.yaml, merged into the flat
// `namespace:key` -> string map the CLI hands a program (PULUMI_CONFIG) and a
// policy pack. A key without a namespace belongs to the project; a structured
// value is passed as JSON; a stack value overrides the project's.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

export class ProjectError extends Error {}

export interface Project {
  dir: string;
  name: string;
  /** Pulumi.yaml `main`, relative to the project folder, if set. */
  main?: string;
}

export interface StackConfig {
  /** `namespace:key` -> value as the CLI passes it. */
  config: Record<string, string>;
  /** Keys whose value is secret (encrypted in the stack file, or declared secret). */
  secretKeys: string[];
  /** Encrypted keys given a stand-in value because this offline run cannot decrypt them. */
  standIns: string[];
}

/**
 * What to do with an encrypted (`secure:`) value, which no offline run can
 * decrypt: refuse, naming the key; pass a generic stand-in marked secret; or
 * pass the stand-in the program declares for that key (a value of the shape
 * it validates), refusing a key it declares none for.
 */
export type EncryptedValues = "refuse" | "stand-in" | { declared: Readonly<Record<string, string>> };

function readYaml(path: string, what: string): unknown {
  try {
    return parseYaml(readFileSync(path, "utf8")) as unknown;
  } catch (e) {
    throw new ProjectError(`${what} is not valid YAML: ${(e as Error).message}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function readProject(dir: string): Project {
  const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new ProjectError(`${dir} is not a Pulumi project: it has no Pulumi.yaml`);
  const doc = readYaml(file, file);
  if (!isRecord(doc) || typeof doc.name !== "string" || doc.name === "") throw new ProjectError(`${file} has no project name`);
  return { dir, name: doc.name, ...(typeof doc.main === "string" ? { main: doc.main } : {}) };
}

export function listStacks(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function fullKey(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

function asString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Project-level config: a plain value, or `{ value }` / `{ default }` beside type, description, secret. */
function projectConfig(dir: string, project: string): { config: Record<string, string>; secretKeys: string[] } {
  const doc = readYaml(["Pulumi.yaml", "Pulumi.yml"].map((f) => join(dir, f)).find((f) => existsSync(f)) as string, "Pulumi.yaml");
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const block = isRecord(doc) && isRecord(doc.config) ? doc.config : {};
  for (const [key, raw] of Object.entries(block)) {
    const k = fullKey(key, project);
    const declared = isRecord(raw) && ("type" in raw || "default" in raw || "value" in raw || "description" in raw || "secret" in raw);
    const value = declared ? ((raw as Record<string, unknown>).value ?? (raw as Record<string, unknown>).default) : raw;
    if (declared && (raw as Record<string, unknown>).secret === true) secretKeys.push(k);
    if (value !== undefined && value !== null) config[k] = asString(value);
  }
  return { config, secretKeys };
}

export function readStackConfig(dir: string, project: string, stack: string, encrypted: EncryptedValues): StackConfig {
  const file = ["yaml", "yml"].map((ext) => join(dir, `Pulumi.${stack}.${ext}`)).find((f) => existsSync(f));
  if (!file) throw new ProjectError(`unknown stack "${stack}": no Pulumi.${stack}.yaml in the project. Stacks here: ${listStacks(dir).join(", ") || "(none)"}`);
  const doc = readYaml(file, `Pulumi.${stack}.yaml`);
  const base = projectConfig(dir, project);
  const config = { ...base.config };
  const secretKeys = new Set(base.secretKeys);
  const standIns: string[] = [];
  const block = isRecord(doc) && isRecord(doc.config) ? doc.config : {};
  for (const [key, value] of Object.entries(block)) {
    const k = fullKey(key, project);
    if (isRecord(value) && "secure" in value) {
      if (encrypted === "refuse")
        throw new ProjectError(`${k} is a secret; the offline plan cannot decrypt it. Keep secrets in AWS (by ARN) and out of stack config.`);
      if (typeof encrypted === "object" && encrypted.declared[k] === undefined) {
        const known = Object.keys(encrypted.declared);
        throw new ProjectError(
          `${k} is a secret, and the program declares no offline stand-in for it (it declares ${known.length > 0 ? known.join(", ") : "none"}); the offline plan cannot decrypt it. Remove the key, or declare its stand-in beside the program's secret keys.`,
        );
      }
      config[k] = typeof encrypted === "object" ? encrypted.declared[k] : `stand-in-for-${k}`;
      secretKeys.add(k);
      standIns.push(k);
      continue;
    }
    config[k] = asString(value);
  }
  return { config, secretKeys: [...secretKeys].sort(), standIns };
}
