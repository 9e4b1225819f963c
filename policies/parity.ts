// region-parity: no snowflakes. Every region of the stack is the same
// RegionalPipeline: the same components in the same roles, and the settings
// that must not drift (runtime, handler, architecture, timeout, log retention)
// the same. Values that legitimately differ per region (memory raised by the
// OOM remediator, max_connections raised by db-guard, names) are not compared.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type PolicySpec } from "./support/define";
import { pipelineOf, roleOf, regionOf, T, type StackIndex } from "./support/resources";

export const regionParitySpec: PolicySpec = {
  name: "region-parity",
  description:
    "Every region of the stack has the same components, in the same roles and of the same types, as the other regions, and the same runtime, handler, architecture, timeout and log retention.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Deploy every region through RegionalPipeline with no per-region branches; if a region needs a difference for a reason (residency, quota), make it a config value every region has, or waive the finding with a reason and an expiry.",
};

/** Settings compared across regions, per resource type. */
const INVARIANTS: Record<string, readonly string[]> = {
  [T.lambda]: ["runtime", "handler", "architectures", "timeout", "packageType"],
  [T.logGroup]: ["retentionInDays"],
};

interface Member {
  resource: PolicyResource;
  role: string;
}

function membersByRegion(stack: StackIndex, regions: string[]): Map<string, Map<string, Member>> {
  const byRegion = new Map<string, Map<string, Member>>(regions.map((r) => [r, new Map()]));
  for (const r of stack.resources) {
    const region = regionOf(r);
    const members = region === undefined ? undefined : byRegion.get(region);
    const role = roleOf(r);
    // Only resources inside a RegionalPipeline count: another region's archive named `<region>-...` is not a component.
    if (!members || role === undefined || pipelineOf(r) === undefined) continue;
    members.set(role, { resource: r, role });
  }
  return byRegion;
}

export const regionParity = stackPolicy(regionParitySpec, (stack, ctx) => {
  const regions = stack.regions();
  if (regions.length < 2) return;
  const byRegion = membersByRegion(stack, regions);
  const allRoles = new Map<string, { type: string; regions: string[] }[]>();
  for (const [region, members] of byRegion) {
    for (const m of members.values()) {
      const variants = allRoles.get(m.role) ?? [];
      const variant = variants.find((v) => v.type === m.resource.type);
      if (variant) variant.regions.push(region);
      else variants.push({ type: m.resource.type, regions: [region] });
      allRoles.set(m.role, variants);
    }
  }

  for (const [role, variants] of [...allRoles.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const present = variants.flatMap((v) => v.regions);
    for (const region of regions.filter((r) => !present.includes(r))) {
      ctx.report(
        stack.pipeline(region),
        `${region}: has no ${role} (${variants.map((v) => v.type).join(" / ")}), which ${present.sort().join(", ")} ${present.length > 1 ? "have" : "has"}`,
      );
    }
    if (variants.length > 1) {
      const ranked = [...variants].sort((a, b) => b.regions.length - a.regions.length);
      for (const odd of ranked.slice(1)) {
        for (const region of odd.regions) {
          const member = byRegion.get(region)?.get(role);
          ctx.report(member?.resource, `${region}: ${role} is a ${odd.type} here but a ${ranked[0].type} in ${ranked[0].regions.join(", ")}`);
        }
      }
    }
  }

  for (const [role] of allRoles) {
    const members = regions.flatMap((region) => {
      const m = byRegion.get(region)?.get(role);
      return m ? [{ region, resource: m.resource }] : [];
    });
    const keys = INVARIANTS[members[0]?.resource.type ?? ""] ?? [];
    for (const key of keys) {
      const values = members.map((m) => ({ ...m, value: ctx.inspect(m.resource, () => JSON.stringify(m.resource.props[key]) ?? "unset") }));
      if (values.some((v) => v.value === undefined)) continue;
      const counts = new Map<string, string[]>();
      for (const v of values) counts.set(v.value as string, [...(counts.get(v.value as string) ?? []), v.region]);
      if (counts.size < 2) continue;
      const [common, commonRegions] = [...counts.entries()].sort((a, b) => b[1].length - a[1].length)[0];
      for (const v of values.filter((x) => x.value !== common)) {
        ctx.report(v.resource, `${v.region}: ${role} has ${key} ${v.value as string}, but ${common} in ${commonRegions.join(", ")}`);
      }
    }
  }
});
