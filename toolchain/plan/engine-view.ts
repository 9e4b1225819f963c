// What the Pulumi engine holds for each resource of a program after
// registration, built from the registrations a program makes under mocks, so
// a policy pack gets from `npm run check` what it gets from `pulumi preview`
// (pkg/resource/deploy source_eval.go, step_generator.go, default_providers.go):
//   - inputs with a `hash` on every asset and archive (ComputeAssetHashes);
//   - an explicit provider's inputs with the `version` the SDK registered it with;
//   - a default provider per package (and version) for custom resources that
//     name none: `pulumi:providers:<pkg>` named `default_<version>`, its inputs
//     the stack's `<pkg>:*` config plus the version, refused when
//     `pulumi:disable-default-providers` lists the package;
//   - the root stack resource `pulumi:pulumi:Stack` (`<project>-<stack>`), the
//     parent of every resource the program registers without one (URNs of its
//     children keep no parent type), with the program's exports as outputs;
//   - outputs beside inputs: Analyze gets inputs, AnalyzeStack outputs;
//   - the aliases a resource was registered with, which the engine resolves
//     against the old state to keep a renamed or re-parented resource
//     (plan diffs do the same: diff.ts).
import type * as pulumiModule from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { withAssetHashes } from "./asset-hash";
import { MocksNotInstalledError, onMockRegistration, type Json, type RegisteredAlias, type Registration } from "../pulumi-internals";
import { UNKNOWN } from "./wire";

export type { Json, Registration };

/** An alias as the program sent it (see RegisteredAlias); plan files carry them so diffs match as the engine does. */
export type PlanAlias = RegisteredAlias;

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export class EngineError extends Error {}

/** A resource as the engine presents it to a policy pack (the plan file's row, before its region is set). */
export interface EngineResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  provider: string | null;
  props: Record<string, Json>;
  /** What AnalyzeStack gets: the resource's state after the step (the mocks' answer). */
  outputs: Record<string, Json>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Only when the program gave some. */
  aliases?: PlanAlias[];
}

/** Records each registration of this @pulumi/pulumi's mocks, in order. */
export function recordRegistrations(pulumi: typeof pulumiModule, into: Registration[]): void {
  try {
    onMockRegistration(pulumi, (registration) => into.push(registration));
  } catch (err) {
    if (err instanceof MocksNotInstalledError) throw new EngineError(err.message);
    throw err;
  }
}

export interface EngineOptions {
  stack: string;
  project: string;
  /** The stack's config as the CLI passes it: `namespace:key` to string. */
  config: Record<string, string>;
  /** The folder the program runs in: relative asset and archive paths resolve against it. */
  workDir: string;
  /** The program's exports, serialized: the root stack's outputs. */
  stackOutputs?: Record<string, Json>;
  /** A first preview: a new provider's id is not known yet. */
  firstPreview?: boolean;
}

export function rootStackUrn(stack: string, project: string): string {
  return `urn:pulumi:${stack}::${project}::${ROOT_STACK_TYPE}::${project}-${stack}`;
}

function isProviderType(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

/** The packages `pulumi:disable-default-providers` lists ("*" for all). */
function disabledDefaults(config: Record<string, string>): string[] {
  const raw = config["pulumi:disable-default-providers"];
  if (raw === undefined || raw.trim() === "") return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new EngineError(`pulumi:disable-default-providers is not a list: ${raw}`);
  }
  if (!Array.isArray(list) || !list.every((x) => typeof x === "string"))
    throw new EngineError(`pulumi:disable-default-providers must be a list of package names: ${raw}`);
  return list.map((x) => x.trim());
}

/** `<pkg>:*` keys of the stack config, without the namespace, as the engine's GetPackageConfig returns them. */
function packageConfig(config: Record<string, string>, pkg: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(config)) if (key.startsWith(`${pkg}:`)) out[key.slice(pkg.length + 1)] = value;
  return out;
}

/** The engine's default provider name: "default", or "default_" and the version with dots, dashes and pluses as underscores. */
export function defaultProviderName(version: string): string {
  return version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
}

function providerId(urn: string, firstPreview: boolean): string {
  if (firstPreview) return UNKNOWN;
  const h = createHash("sha256").update(urn).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The engine's resources for a program's registrations, in registration order, the root stack first. */
export function engineView(registrations: Registration[], o: EngineOptions): EngineResource[] {
  const root = rootStackUrn(o.stack, o.project);
  const disabled = disabledDefaults(o.config);
  const defaults = new Map<string, EngineResource>();
  const out: EngineResource[] = [
    {
      urn: root,
      type: ROOT_STACK_TYPE,
      name: `${o.project}-${o.stack}`,
      parent: null,
      provider: null,
      props: {},
      outputs: o.stackOutputs ?? {},
      dependencies: [],
      propertyDependencies: {},
    },
  ];

  const defaultProvider = (r: Registration): string => {
    const pkg = r.type.split(":")[0];
    if (disabled.includes("*") || disabled.includes(pkg)) {
      throw new EngineError(`Default provider for '${pkg}' disabled. '${r.urn}' must use an explicit provider.`);
    }
    const key = `${pkg}@${r.version}`;
    let p = defaults.get(key);
    if (!p) {
      const name = defaultProviderName(r.version);
      const urn = `urn:pulumi:${o.stack}::${o.project}::pulumi:providers:${pkg}::${name}`;
      const props: Record<string, Json> = { ...packageConfig(o.config, pkg), ...(r.version ? { version: r.version } : {}) };
      p = { urn, type: `pulumi:providers:${pkg}`, name, parent: null, provider: null, props, outputs: props, dependencies: [], propertyDependencies: {} };
      defaults.set(key, p);
      out.push(p);
    }
    return `${p.urn}::${providerId(p.urn, o.firstPreview === true)}`;
  };

  for (const r of registrations) {
    const isProvider = isProviderType(r.type);
    const needsDefault = r.custom && !isProvider && r.provider === null && !r.type.startsWith("pulumi:");
    const provider = needsDefault ? defaultProvider(r) : r.provider;
    let props = withAssetHashes(r.props, o.workDir);
    let outputs = withAssetHashes(r.outputs, o.workDir);
    if (isProvider && r.version && props.version === undefined) {
      props = { ...props, version: r.version };
      outputs = { ...outputs, version: r.version };
    }
    out.push({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? root,
      provider,
      props,
      outputs,
      dependencies: r.dependencies,
      propertyDependencies: r.propertyDependencies,
      ...(r.aliases.length > 0 ? { aliases: r.aliases } : {}),
    });
  }
  return out;
}

/**
 * Regions by resource: a provider's is its `region` input; a resource's is its
 * provider's; a component's is the one region of everything under it, else
 * "global" (with nothing under it, its parent's); the root stack's is "global".
 */
export function assignRegions<T extends EngineResource>(resources: T[]): (T & { region: string })[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const providerRegion = (ref: string | null): string | undefined => {
    if (!ref) return undefined;
    const p = byUrn.get(ref.slice(0, ref.lastIndexOf("::")));
    return typeof p?.props.region === "string" ? p.props.region : undefined;
  };
  const own = new Map<string, string | undefined>();
  for (const r of resources)
    own.set(r.urn, isProviderType(r.type) ? (typeof r.props.region === "string" ? r.props.region : undefined) : providerRegion(r.provider));
  const children = new Map<string, string[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const regionsUnder = (urn: string): Set<string> => {
    const set = new Set<string>();
    const mine = own.get(urn);
    if (mine) set.add(mine);
    for (const c of children.get(urn) ?? []) for (const x of regionsUnder(c)) set.add(x);
    return set;
  };
  const regionOf = (r: T): string => {
    if (r.type === ROOT_STACK_TYPE) return "global";
    const mine = own.get(r.urn);
    if (mine) return mine;
    const under = regionsUnder(r.urn);
    if (under.size === 0 && r.parent && byUrn.has(r.parent)) return regionOf(byUrn.get(r.parent) as T);
    return under.size === 1 ? [...under][0] : "global";
  };
  return resources.map((r) => ({ ...r, region: regionOf(r) }));
}
