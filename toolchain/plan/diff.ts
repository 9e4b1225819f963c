// Per-region differences between two plan files: resources added, removed, and
// changed (by URN), with the changed props as concise `path: old -> new` lines.
import type { Json, PlanFile, PlanResource } from "./plan-stack";

export interface PropChange {
  path: string;
  before: Json | undefined;
  after: Json | undefined;
}

export interface RegionDiff {
  region: string;
  added: PlanResource[];
  removed: PlanResource[];
  changed: { resource: PlanResource; changes: PropChange[] }[];
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
  const byUrn = (p: PlanFile) => new Map(p.resources.map((r) => [r.urn, r]));
  const a = byUrn(base);
  const b = byUrn(head);
  const regions = new Map<string, RegionDiff>();
  const entry = (region: string): RegionDiff => {
    let d = regions.get(region);
    if (!d) regions.set(region, (d = { region, added: [], removed: [], changed: [] }));
    return d;
  };
  for (const [urn, r] of b) {
    const old = a.get(urn);
    if (!old) entry(r.region).added.push(r);
    else {
      const changes = diffProps(old.props, r.props);
      if (changes.length > 0) entry(r.region).changed.push({ resource: r, changes });
    }
  }
  for (const [urn, r] of a) if (!b.has(urn)) entry(r.region).removed.push(r);
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
    for (const r of d.added) lines.push(`  + ${r.type} ${r.name}`);
    for (const r of d.removed) lines.push(`  - ${r.type} ${r.name}`);
    for (const c of d.changed) {
      lines.push(`  ~ ${c.resource.type} ${c.resource.name}`);
      for (const p of c.changes) lines.push(`      ${p.path}: ${short(p.before)} -> ${short(p.after)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
