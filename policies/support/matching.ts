// How resources in different regions are recognised as the same part of a
// program: same type, same logical name once the region's own token is taken
// out, under components that match the same way. Resources group into
// families by their outermost component, so that a family deployed in some
// regions only (a log archive, say) is compared among those regions only.
import type { PolicyResource } from "@pulumi/policy";
import { regionTokens } from "./regions";
import { isProvider, type StackIndex } from "./resources";

/** AWS services without regions: a top-level resource of theirs belongs to no region's deployment. */
const GLOBAL_SERVICES = ["iam", "cloudfront", "route53", "organizations", "globalaccelerator", "shield", "budgets", "costexplorer", "waf"];

export const TOP_LEVEL = "(top level)";

function isGlobalService(type: string): boolean {
  const service = type.split(":")[1]?.split("/")[0] ?? "";
  return type.startsWith("aws:") && GLOBAL_SERVICES.includes(service);
}

/** The name with the region's own tokens replaced by `*`: `us-east-1-thumbnails` -> `*-thumbnails`. */
export function withoutRegion(name: string, region: string | undefined): string {
  if (!region) return name;
  let out = name;
  for (const token of regionTokens(region)) out = out.split(token).join("*");
  return out;
}

export interface Member {
  resource: PolicyResource;
  region: string;
  family: string;
  /** Equal for the same part of the program in every region. */
  key: string;
  /** The outermost component, when there is one. */
  familyRoot: PolicyResource | undefined;
}

function segment(stack: StackIndex, r: PolicyResource): string {
  return `${r.type}::${withoutRegion(r.name, stack.regionOf(r))}`;
}

/** The regional members of the stack: custom resources with a region, keyed across regions. */
export function regionalMembers(stack: StackIndex): Member[] {
  const out: Member[] = [];
  for (const r of stack.resources) {
    if (isProvider(r)) continue;
    const region = stack.regionOf(r);
    if (region === undefined || stack.childrenOf(r).length > 0 || (!r.provider && !r.type.startsWith("aws"))) continue;
    const ancestors: PolicyResource[] = [];
    for (let p = r.parent; p !== undefined; p = p.parent) ancestors.unshift(p);
    // The stack itself is everyone's parent; it is not a component of the program.
    const components = ancestors.filter((a) => a.type !== "pulumi:pulumi:Stack");
    if (components.length === 0 && isGlobalService(r.type)) continue;
    const family = components.length > 0 ? segment(stack, components[0]) : TOP_LEVEL;
    const key = [...components.map((c) => segment(stack, c)), segment(stack, r)].join(" / ");
    out.push({ resource: r, region, family, key, familyRoot: components[0] });
  }
  return out;
}

/** Members grouped by family, then by key, then by region. */
export function byFamily(members: Member[]): Map<string, Map<string, Map<string, Member[]>>> {
  const families = new Map<string, Map<string, Map<string, Member[]>>>();
  for (const m of members) {
    const keys = families.get(m.family) ?? new Map<string, Map<string, Member[]>>();
    const regions = keys.get(m.key) ?? new Map<string, Member[]>();
    regions.set(m.region, [...(regions.get(m.region) ?? []), m]);
    keys.set(m.key, regions);
    families.set(m.family, keys);
  }
  return families;
}

/**
 * Splits regions by the value they show; the odd ones are those outside the
 * largest group. On a tie for the largest group nobody is the majority, and
 * every group is reported (each naming the others).
 */
export function oddOnesOut<V>(values: Map<string, V>, same: (a: V, b: V) => boolean = (a, b) => JSON.stringify(a) === JSON.stringify(b)): { majority: string[] | undefined; groups: { value: V; regions: string[] }[] } {
  const groups: { value: V; regions: string[] }[] = [];
  for (const [region, value] of [...values.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const g = groups.find((x) => same(x.value, value));
    if (g) g.regions.push(region);
    else groups.push({ value, regions: [region] });
  }
  const largest = Math.max(...groups.map((g) => g.regions.length));
  const top = groups.filter((g) => g.regions.length === largest);
  return { majority: top.length === 1 ? top[0].regions : undefined, groups };
}
