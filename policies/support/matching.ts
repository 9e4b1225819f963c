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
  /** The resource's type and name with its region's tokens taken out: `aws:sqs/queue:Queue batch-jobs-*`. */
  part: string;
  /** The outermost component, when there is one. */
  familyRoot: PolicyResource | undefined;
}

const TOKEN_SEPARATOR = /[^A-Za-z0-9*]+/;

/** Replaces whole tokens only: inferring `main` must not touch `domain`. */
function withoutTokens(name: string, tokens: readonly string[]): string {
  if (tokens.length === 0) return name;
  return name
    .split(/([^A-Za-z0-9*]+)/)
    .map((piece) => (tokens.includes(piece) ? "*" : piece))
    .join("");
}

interface Candidate {
  resource: PolicyResource;
  region: string;
  /** The outermost component first, the resource itself last. */
  path: PolicyResource[];
}

/**
 * The tokens by which a program names its regions when it does not spell the
 * region code: `-main` on one provider, `-legal` on another. A region's token
 * is one that at least two thirds of its names carry and no name in any other
 * region does. Found per region, so a program that spells region codes gets
 * none (those are already taken out), and one odd resource does not stop it.
 */
export function inferRegionTokens(namesByRegion: Map<string, string[]>): Map<string, string[]> {
  const tokenSets = new Map(
    [...namesByRegion].map(([region, names]) => [region, names.map((n) => new Set(n.split(TOKEN_SEPARATOR).filter((t) => t !== "" && t !== "*")))]),
  );
  const out = new Map<string, string[]>();
  if (tokenSets.size < 2) return out;
  for (const [region, sets] of tokenSets) {
    const elsewhere = new Set([...tokenSets].filter(([r]) => r !== region).flatMap(([, ss]) => ss.flatMap((s) => [...s])));
    const counts = new Map<string, number>();
    for (const set of sets) for (const t of set) if (!elsewhere.has(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const tokens = [...counts].filter(([, n]) => n >= 2 && n * 3 >= sets.length * 2).map(([t]) => t);
    if (tokens.length > 0) out.set(region, tokens.sort());
  }
  return out;
}

function membersWith(candidates: Candidate[], inferred: Map<string, string[]>): Member[] {
  const segment = (r: PolicyResource, region: string) => `${r.type}::${withoutTokens(withoutRegion(r.name, region), inferred.get(region) ?? [])}`;
  return candidates.map(({ resource, region, path }) => {
    const components = path.slice(0, -1);
    const own = segment(resource, region);
    return {
      resource,
      region,
      family: components.length > 0 ? segment(components[0], region) : TOP_LEVEL,
      key: path.map((p) => segment(p, region)).join(" / "),
      part: own.replace("::", " "),
      familyRoot: components[0],
    };
  });
}

/** How many keys appear in more than one region: what matching across regions is for. */
function sharedKeys(members: Member[]): number {
  const regions = new Map<string, Set<string>>();
  for (const m of members) regions.set(m.key, (regions.get(m.key) ?? new Set()).add(m.region));
  return [...regions.values()].filter((rs) => rs.size > 1).length;
}

/** The regional members of the stack: custom resources with a region, keyed across regions. */
export function regionalMembers(stack: StackIndex): Member[] {
  const candidates: Candidate[] = [];
  for (const r of stack.resources) {
    if (isProvider(r)) continue;
    const region = stack.regionOf(r);
    if (region === undefined || stack.childrenOf(r).length > 0 || (!r.provider && !r.type.startsWith("aws"))) continue;
    const ancestors: PolicyResource[] = [];
    for (let p = r.parent; p !== undefined; p = p.parent) ancestors.unshift(p);
    // The stack itself is everyone's parent; it is not a component of the program.
    const components = ancestors.filter((a) => a.type !== "pulumi:pulumi:Stack");
    if (components.length === 0 && isGlobalService(r.type)) continue;
    candidates.push({ resource: r, region, path: [...components, r] });
  }
  const spelled = membersWith(candidates, new Map());
  const namesByRegion = new Map<string, string[]>();
  for (const c of candidates) {
    const names = namesByRegion.get(c.region) ?? [];
    for (const p of c.path) names.push(withoutRegion(p.name, c.region));
    namesByRegion.set(c.region, names);
  }
  const inferred = inferRegionTokens(new Map([...namesByRegion].map(([region, names]) => [region, [...new Set(names)]])));
  if (inferred.size === 0) return spelled;
  const withInferred = membersWith(candidates, inferred);
  // Only when it matches more parts across regions: otherwise the names were not region-tokened after all.
  return sharedKeys(withInferred) > sharedKeys(spelled) ? withInferred : spelled;
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
export function oddOnesOut<V>(
  values: Map<string, V>,
  same: (a: V, b: V) => boolean = (a, b) => JSON.stringify(a) === JSON.stringify(b),
): { majority: string[] | undefined; groups: { value: V; regions: string[] }[] } {
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
