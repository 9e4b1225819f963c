// The policy config a pack is configured with, reconciled as the Pulumi CLI
// does before `pulumi preview` analyzes anything (pkg/resource/analyzer
// ReconcilePolicyPackConfig, pkg/engine installAndLoadPolicyPlugins):
//   1. every policy at the level GetAnalyzerInfo reports, with the `default`
//      of each property of its config schema;
//   2. the pack's own initial config (PolicyPack's third argument), then the
//      --policy-pack-config file: "all" sets every policy's level first, then
//      each entry sets its policy's level and merges its properties;
//   3. each policy's resulting properties validated against its schema, with
//      enforcementLevel added to it; any error stops the run, naming the pack,
//      its version and the policy.
// Two checks go further than the CLI, which passes these on silently: a file
// entry for a policy the pack does not have, and a property a policy's schema
// does not declare. Either is most likely a typo.
import type { EnforcementLevel } from "@pulumi/policy";
import Ajv from "ajv";
import type { PackConfig } from "./pack-config";
import { PackConfigError } from "./pack-config";
import { analyzer } from "../pulumi-internals";

export interface PolicySchema {
  properties: Record<string, unknown>;
  required: string[];
}

export interface PolicyInfo {
  name: string;
  enforcementLevel: EnforcementLevel;
  /** The schema the pack declared; undefined when it declared none. */
  configSchema?: PolicySchema;
}

export interface PackInfo {
  name: string;
  version: string;
  supportsConfig: boolean;
  policies: PolicyInfo[];
  initialConfig: PackConfig;
}

export interface ReconciledEntry {
  enforcementLevel: EnforcementLevel;
  properties?: Record<string, unknown>;
}

export type ReconciledConfig = Map<string, ReconciledEntry>;

const LEVELS: Record<number, EnforcementLevel> = {
  [analyzer.EnforcementLevel.ADVISORY]: "advisory",
  [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
  [analyzer.EnforcementLevel.DISABLED]: "disabled",
};

export function levelName(code: number, where: string): EnforcementLevel {
  const level = LEVELS[code];
  if (!level) throw new PackConfigError(`${where}: invalid enforcement level ${code}`);
  return level;
}

/** What GetAnalyzerInfo says about config: each policy's level and schema, and the pack's initial config. */
export function packInfo(info: analyzer.AnalyzerInfo): PackInfo {
  const policies = info.getPoliciesList().map((p): PolicyInfo => {
    const schema = p.getConfigschema();
    return {
      name: p.getName(),
      enforcementLevel: levelName(p.getEnforcementlevel(), `policy ${p.getName()}`),
      ...(schema
        ? { configSchema: { properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>, required: schema.getRequiredList() } }
        : {}),
    };
  });
  const initialConfig: PackConfig = {};
  // An initial-config entry without a level carries the proto default, ADVISORY, and the CLI applies it as such.
  info.getInitialconfigMap().forEach((v, k) => {
    initialConfig[k] = {
      enforcementLevel: levelName(v.getEnforcementlevel(), `initial config of ${k}`),
      properties: (v.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
    };
  });
  return { name: info.getName(), version: info.getVersion(), supportsConfig: info.getSupportsconfig(), policies, initialConfig };
}

function withDefaults(policies: PolicyInfo[]): ReconciledConfig {
  const result: ReconciledConfig = new Map();
  for (const p of policies) {
    let properties: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(p.configSchema?.properties ?? {})) {
      if (v !== null && typeof v === "object" && "default" in v) (properties ??= {})[k] = (v as { default: unknown }).default;
    }
    result.set(p.name, { enforcementLevel: p.enforcementLevel, ...(properties ? { properties } : {}) });
  }
  return result;
}

function apply(result: ReconciledConfig, config: PackConfig): void {
  const all = config.all?.enforcementLevel;
  if (all) for (const [k, v] of result) result.set(k, { ...v, enforcementLevel: all });
  for (const [policy, given] of Object.entries(config)) {
    const current = result.get(policy);
    const enforcementLevel = given.enforcementLevel ?? current?.enforcementLevel;
    let properties = current?.properties ? { ...current.properties } : undefined;
    if (Object.keys(given.properties).length > 0) properties = { ...(properties ?? {}), ...given.properties };
    // An entry that names no policy (like "all") is kept and sent on, as the CLI does.
    result.set(policy, { enforcementLevel: enforcementLevel ?? "advisory", ...(properties ? { properties } : {}) });
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });

function validate(pack: PackInfo, result: ReconciledConfig): string[] {
  const errors: string[] = [];
  for (const p of pack.policies) {
    // With config support the CLI validates every policy, its schema (possibly empty) plus enforcementLevel.
    if (!pack.supportsConfig) continue;
    const schema = {
      type: "object",
      properties: { ...(p.configSchema?.properties ?? {}), enforcementLevel: { type: "string", enum: ["advisory", "mandatory", "remediate", "disabled"] } },
      ...(p.configSchema?.required.length ? { required: p.configSchema.required } : {}),
    };
    const check = ajv.compile(schema);
    if (!check(result.get(p.name)?.properties ?? {})) {
      for (const e of check.errors ?? []) {
        const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "";
        errors.push(`${p.name}: ${field ? `${field}: ` : ""}${e.message ?? "is invalid"}`);
      }
    }
  }
  return errors;
}

/** File entries the CLI would pass on unread: a policy the pack lacks, a property its schema lacks. */
function unknownEntries(pack: PackInfo, config: PackConfig, source: string): string[] {
  const names = new Map(pack.policies.map((p) => [p.name, p]));
  const problems: string[] = [];
  for (const [policy, entry] of Object.entries(config)) {
    if (policy === "all") continue;
    const p = names.get(policy);
    if (!p) {
      problems.push(`${source}: ${pack.name} has no policy "${policy}"; its policies are ${[...names.keys()].join(", ")}`);
      continue;
    }
    const declared = Object.keys(p.configSchema?.properties ?? {});
    if (declared.length === 0) continue;
    for (const key of Object.keys(entry.properties)) {
      if (!declared.includes(key)) problems.push(`${source}: ${policy}.${key} is not in the policy's config schema; it takes ${declared.join(", ")}`);
    }
  }
  return problems;
}

/**
 * The config the CLI would send with Configure, or a PackConfigError with every problem.
 * `source` names the config file in errors.
 */
export function reconcilePolicyConfig(pack: PackInfo, config: PackConfig, source = "policy config"): ReconciledConfig {
  if (!pack.supportsConfig) {
    if (Object.keys(config).length > 0) throw new PackConfigError(`policy pack ${pack.name} does not support config, but ${source} configures it`);
    return new Map();
  }
  const unknown = unknownEntries(pack, config, source);
  if (unknown.length > 0) throw new PackConfigError(unknown.join("\n"));
  const result = withDefaults(pack.policies);
  apply(result, pack.initialConfig);
  apply(result, config);
  const errors = validate(pack, result)
    .map((e) => `validating policy config: ${pack.name} ${pack.version}  ${e}`)
    .sort();
  if (errors.length > 0) throw new PackConfigError(errors.join("\n"));
  return result;
}
