// The text view of a plan: per region, per top-level component (nested ones
// count in the component they belong to), how many resources of each type.
import { ROOT_STACK_TYPE } from "./engine-view";
import type { PlanFile } from "./plan-stack";

export interface RegionSummary {
  region: string;
  total: number;
  components: { component: string; total: number; types: Record<string, number> }[];
}

export function summarizePlan(plan: PlanFile): RegionSummary[] {
  const names = new Map(plan.resources.map((r) => [r.urn, `${r.type.split(":").pop()} ${r.name}`]));
  const parents = new Map(plan.resources.map((r) => [r.urn, r.parent]));
  const isTop = (urn: string | null | undefined) => !urn || urn.includes(`::${ROOT_STACK_TYPE}::`);
  /** The outermost component above a resource, below the root stack. */
  const topComponent = (urn: string): string => {
    let at = urn;
    for (let up = parents.get(at); !isTop(up); up = parents.get(at)) at = up as string;
    return at;
  };
  const regions = new Map<string, Map<string, Record<string, number>>>();
  for (const r of plan.resources) {
    // The root stack is every top-level resource's parent; it reads as "(stack)" as before it was recorded.
    const top = isTop(r.parent) ? undefined : topComponent(r.parent as string);
    const component = top !== undefined ? (names.get(top) ?? top) : "(stack)";
    const comps = regions.get(r.region) ?? new Map<string, Record<string, number>>();
    regions.set(r.region, comps);
    const types = comps.get(component) ?? {};
    comps.set(component, types);
    types[r.type] = (types[r.type] ?? 0) + 1;
  }
  return [...regions.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, comps]) => {
      const components = [...comps.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([component, types]) => ({ component, total: Object.values(types).reduce((x, y) => x + y, 0), types }));
      return { region, total: components.reduce((x, c) => x + c.total, 0), components };
    });
}

export function formatSummary(plan: PlanFile): string {
  const lines = [`Plan for stack ${plan.stack} (project ${plan.project}): ${plan.resources.length} resources`];
  for (const s of summarizePlan(plan)) {
    lines.push("", `${s.region}: ${s.total} resources`);
    for (const c of s.components) {
      lines.push(`  ${c.component}: ${c.total}`);
      for (const [type, n] of Object.entries(c.types).sort(([a], [b]) => a.localeCompare(b))) lines.push(`    ${String(n).padStart(3)}  ${type}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
