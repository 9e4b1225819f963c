// Per-region differences between two plan files: resources added, removed, and
// changed (by URN), with the changed props as concise `path: old -> new` lines.
// A resource of the new plan matches an old one by its URN, else by its
// aliases, resolved and checked as the engine's step generator does
// (pkg/resource/deploy/step_generator.go: generateAliases, collapseAliasToUrn,
// inheritedChildAlias): a re-parented resource is kept, not replaced.
import type { PlanAlias } from "./engine-view";
import type { Json, PlanFile, PlanResource } from "./plan-stack";

export interface PropChange {
  path: string;
  before: Json | undefined;
  after: Json | undefined;
}

export interface RegionDiff {
  region: string;
  /** Cloud resources (and providers) with no old counterpart. */
  added: PlanResource[];
  removed: PlanResource[];
  changed: { resource: PlanResource; changes: PropChange[] }[];
  /** Resources that match an old one through an alias: same resource, new URN. */
  aliased: { resource: PlanResource; from: string }[];
  /** New component resources: grouping only, nothing is created in the cloud. */
  addedComponents: PlanResource[];
}

export class AliasError extends Error {}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`: the parts. */
function urnParts(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
  const [head, project, qualifiedType, ...name] = urn.split("::");
  return { stack: head.replace(/^urn:pulumi:/, ""), project, qualifiedType, name: name.join("::") };
}

function createUrn(name: string, type: string, parent: string | undefined, project: string, stack: string): string {
  const parentType = parent ? `${urnParts(parent).qualifiedType}$` : "";
  return `urn:pulumi:${stack}::${project}::${parentType}${type}::${name}`;
}

/** Matches of a new plan's resources to old URNs, in registration order, with the engine's alias rules. */
export interface ResourceMatch {
  /** New URN -> the old URN it takes over (itself when unchanged); absent when the resource is new. */
  oldUrnOf: Map<string, string>;
  /** Old URN -> the new resource that took it over by an alias. */
  aliasedBy: Map<string, string>;
}

/**
 * For each resource of `head` (in registration order), the old URN it keeps:
 * its own when `olds` has it, else the first of its aliases that `olds` has.
 * Aliases are resolved as the engine resolves them: missing parts from the
 * resource, an old parent's own alias substituted, and a parent's matched
 * alias multiplied out to its children. Two resources claiming one old URN,
 * or an alias of a URN another resource has, is an error, as in the engine.
 */
export function matchResources(olds: Iterable<string>, head: PlanFile): ResourceMatch {
  const old = new Set(olds);
  const byUrn = new Map(head.resources.map((r) => [r.urn, r]));
  const oldUrnOf = new Map<string, string>();
  const aliasedBy = new Map<string, string>();
  /** sg.aliases: a new URN whose resource matched an old one by alias -> that old URN. */
  const matchedAlias = new Map<string, string>();
  const seen = new Set<string>();

  const collapse = (r: PlanResource, a: PlanAlias): string => {
    if ("urn" in a) return a.urn;
    let parent: string | undefined;
    if (a.parent === null) parent = undefined;
    else if (a.parent !== undefined) parent = matchedAlias.get(a.parent) ?? a.parent;
    else parent = r.parent ?? undefined;
    if (parent !== undefined && urnParts(parent).qualifiedType === ROOT_STACK_TYPE) parent = undefined;
    return createUrn(a.name ?? r.name, a.type ?? r.type, parent, a.project ?? head.project, a.stack ?? head.stack);
  };
  const inherited = (childType: string, childName: string, parentName: string, parentAlias: string): string => {
    const name = childName.startsWith(parentName) ? urnParts(parentAlias).name + childName.slice(parentName.length) : childName;
    return createUrn(name, childType, parentAlias, head.project, head.stack);
  };

  for (const r of head.resources) {
    const previous = aliasedBy.get(r.urn);
    if (previous !== undefined) throw new AliasError(`${r.urn} is registered, but ${previous} already took it over by an alias`);
    const candidates: string[] = [];
    const add = (urn: string) => {
      if (!candidates.includes(urn)) candidates.push(urn);
    };
    const own = r.aliases ?? [];
    for (const a of own) add(collapse(r, a));
    const parentAlias = r.parent ? matchedAlias.get(r.parent) : undefined;
    if (r.parent && parentAlias !== undefined) {
      const parentName = byUrn.get(r.parent)?.name ?? urnParts(r.parent).name;
      add(inherited(r.type, r.name, parentName, parentAlias));
      for (const a of own) {
        const u = urnParts(collapse(r, a));
        add(inherited(u.qualifiedType.split("$").pop() as string, u.name, parentName, parentAlias));
      }
    }
    for (const urn of [r.urn, ...candidates]) {
      if (!old.has(urn)) continue;
      if (urn !== r.urn) {
        if (seen.has(urn)) throw new AliasError(`${r.urn} has an alias ${urn}, which another resource of the plan has as its URN`);
        const other = aliasedBy.get(urn);
        if (other !== undefined) throw new AliasError(`${r.urn} and ${other} both have the alias ${urn}`);
        aliasedBy.set(urn, r.urn);
        matchedAlias.set(r.urn, urn);
      }
      oldUrnOf.set(r.urn, urn);
      break;
    }
    seen.add(r.urn);
  }
  return { oldUrnOf, aliasedBy };
}

function isComponent(r: PlanResource): boolean {
  return r.provider === null && !r.type.startsWith("pulumi:");
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Leaf-level differences; arrays compare element by element, JSON strings (policies) as parsed JSON. */
export function diffProps(before: Json | undefined, after: Json | undefined, path = ""): PropChange[] {
  const parsed = (v: Json | undefined): Json | undefined => {
    if (typeof v === "string" && (v.startsWith("{") || v.startsWith("["))) {
      try {
        return JSON.parse(v) as Json;
      } catch {
        return v;
      }
    }
    return v;
  };
  const a = parsed(before);
  const b = parsed(after);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffProps(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    return Array.from({ length: n }, (_, i) => diffProps(a[i], b[i], `${path}[${i}]`)).flat();
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, before, after }];
}

export function diffPlans(base: PlanFile, head: PlanFile): RegionDiff[] {
  const a = new Map(base.resources.map((r) => [r.urn, r]));
  const { oldUrnOf } = matchResources(a.keys(), head);
  const kept = new Set(oldUrnOf.values());
  const regions = new Map<string, RegionDiff>();
  const entry = (region: string): RegionDiff => {
    let d = regions.get(region);
    if (!d) regions.set(region, (d = { region, added: [], removed: [], changed: [], aliased: [], addedComponents: [] }));
    return d;
  };
  for (const r of head.resources) {
    const from = oldUrnOf.get(r.urn);
    const old = from === undefined ? undefined : a.get(from);
    if (!old) {
      if (isComponent(r)) entry(r.region).addedComponents.push(r);
      else entry(r.region).added.push(r);
      continue;
    }
    if (from !== r.urn) entry(r.region).aliased.push({ resource: r, from: old.urn });
    const changes = diffProps(old.props, r.props);
    if (changes.length > 0) entry(r.region).changed.push({ resource: r, changes });
  }
  for (const [urn, r] of a) if (!kept.has(urn)) entry(r.region).removed.push(r);
  return [...regions.values()].sort((x, y) => x.region.localeCompare(y.region));
}

function short(v: Json | undefined): string {
  if (v === undefined) return "(none)";
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function formatDiff(diffs: RegionDiff[]): string {
  if (diffs.length === 0) return "No differences.\n";
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`${d.region}: +${d.added.length} added, -${d.removed.length} removed, ~${d.changed.length} changed`);
    if (d.aliased.length > 0) lines.push(`  = ${d.aliased.length} kept by alias (new URN, same resource: nothing is replaced)`);
    if (d.addedComponents.length > 0)
      lines.push(`  + ${d.addedComponents.length} components (grouping only, no cloud resource): ${d.addedComponents.map((r) => r.name).join(", ")}`);
    for (const r of d.added) lines.push(`  + ${r.type} ${r.name}`);
    for (const r of d.removed) lines.push(`  - ${r.type} ${r.name}`);
    for (const c of d.changed) {
      lines.push(`  ~ ${c.resource.type} ${c.resource.name}`);
      for (const p of c.changes) lines.push(`      ${p.path}: ${short(p.before)} -> ${short(p.after)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
