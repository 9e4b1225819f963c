// Plans of this checkout shared by the infra tests: the real build (built once
// by ensureFreshBuild when dist/ is missing or stale), the shared mocks, and
// helpers to read a plan the way a reviewer would.
import type { PlanFile, PlanOptions, PlanResource } from "../../../toolchain/plan/plan-stack";
import { planStack } from "../../../toolchain/plan/plan-stack";

const cache = new Map<string, Promise<PlanFile>>();

/** The committed stack's plan, computed once per test run. */
export function stackPlan(stack: "dev" | "prod"): Promise<PlanFile> {
  let p = cache.get(stack);
  if (!p) cache.set(stack, (p = planStack(stack)));
  return p;
}

export function planWith(stack: string, options: PlanOptions): Promise<PlanFile> {
  return planStack(stack, options);
}

export const PIPELINE_TYPE = "thumbnail-pipeline:index:RegionalPipeline";

export function ofType(plan: PlanFile, type: string): PlanResource[] {
  return plan.resources.filter((r) => r.type === type);
}

export function pipelines(plan: PlanFile): PlanResource[] {
  return ofType(plan, PIPELINE_TYPE);
}

/** Resources whose parent chain reaches the given component. */
export function descendants(plan: PlanFile, componentUrn: string): PlanResource[] {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const under = (r: PlanResource): boolean => {
    for (let p = r.parent; p; p = byUrn.get(p)?.parent ?? null) if (p === componentUrn) return true;
    return false;
  };
  return plan.resources.filter(under);
}

export function byName(plan: PlanFile, type: string, name: string): PlanResource {
  const r = plan.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} named ${name} in the plan`);
  return r;
}

export function prop<T>(r: PlanResource, path: string): T {
  let v: unknown = r.props;
  for (const k of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[k];
  return v as T;
}
