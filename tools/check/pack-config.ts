// The policy pack's config, in the format of `pulumi preview --policy-pack-config FILE`:
// `{ "<policy>": "<level>" | { "enforcementLevel"?: "<level>", ...properties } }`
// (JSON, or YAML with the same shape). Waivers are the `waivers` property of
// the policy they waive. `policies/config/<stack>.json` is each stack's file.
import type { EnforcementLevel } from "@pulumi/policy";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { readWaivers, type WaiverEntry } from "../../policies/waivers";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

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

export function readPackConfig(path: string): PackConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PackConfigError(`cannot read policy config ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = path.endsWith(".json") ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (e) {
    throw new PackConfigError(`${path} is not valid ${path.endsWith(".json") ? "JSON" : "YAML"}: ${(e as Error).message}`);
  }
  return parsePackConfig(doc, path);
}

/** The stack's config file next to the pack, if there is one. */
export function defaultConfigPath(packDir: string, stack: string): string | undefined {
  const path = join(packDir, "config", `${stack}.json`);
  return existsSync(path) ? path : undefined;
}

/** Every waiver in the config, classified as the pack classifies it. */
export function listWaivers(config: PackConfig, today: string): WaiverEntry[] {
  return Object.entries(config).flatMap(([policy, entry]) => readWaivers(policy, entry.properties, today));
}
