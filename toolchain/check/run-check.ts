// One policy check of a plan, driven as the Pulumi CLI drives a policy pack:
// GetPluginInfo, GetAnalyzerInfo, Configure (every policy's level and config,
// waivers included), Analyze for each resource, AnalyzeStack with all of them.
// The diagnostics become violations by region; waived ones are kept apart and
// every waiver in the config is listed with its state.
import type { EnforcementLevel } from "@pulumi/policy";
import { describeWaiver, utcToday, VALID_WAIVERS, WAIVED_MARK, waiverCovers } from "../../policies/waivers";
import type { PlanFile, PlanResource } from "../plan/plan-stack";
import { AnalyzerSession } from "./analyzer-client";
import { analyzeRequest, indexProviders, stackResource } from "./encode";
import { listWaivers, type PackConfig } from "./pack-config";
import { packInfo, reconcilePolicyConfig, type ReconciledConfig } from "./reconcile";
import { ROOT_STACK_TYPE, rootStackUrn as engineRootStackUrn } from "../plan/engine-view";
import { analyzer, type JavaScriptValue, Struct } from "../pulumi-internals";

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  region: string;
  message: string;
  severity: string;
}

export interface WaiverReport {
  policy: string;
  resource: string | null;
  reason: string | null;
  expires: string | null;
  ticket: string | null;
  status: "active" | "expired" | "invalid";
  /** Findings this waiver turned into advisory notes in this run. */
  suppressed: number;
  description: string;
}

export interface PolicyMeta {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  severity: string;
  remediationSteps: string;
  url: string;
}

export interface CheckReport {
  pack: { name: string; version: string };
  stack: string;
  project: string;
  resources: number;
  violations: Violation[];
  waived: Violation[];
  waivers: WaiverReport[];
  policies: PolicyMeta[];
}

const LEVELS: Record<number, EnforcementLevel> = {
  [analyzer.EnforcementLevel.ADVISORY]: "advisory",
  [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
  [analyzer.EnforcementLevel.DISABLED]: "disabled",
};
const LEVEL_CODES: Record<EnforcementLevel, analyzer.EnforcementLevel> = {
  advisory: analyzer.EnforcementLevel.ADVISORY,
  mandatory: analyzer.EnforcementLevel.MANDATORY,
  remediate: analyzer.EnforcementLevel.REMEDIATE,
  disabled: analyzer.EnforcementLevel.DISABLED,
};
const SEVERITIES: Record<number, string> = {
  [analyzer.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
  [analyzer.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
  [analyzer.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
  [analyzer.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

/** Analyze calls in flight at once; the engine also analyzes steps in parallel. */
const ANALYZE_CONCURRENCY = 16;

function policiesOf(info: analyzer.AnalyzerInfo): PolicyMeta[] {
  return info.getPoliciesList().map((p) => ({
    name: p.getName(),
    description: p.getDescription(),
    enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
    severity: SEVERITIES[p.getSeverity()] ?? "unspecified",
    remediationSteps: p.getRemediationSteps(),
    url: p.getUrl(),
  }));
}

/** The Configure request the CLI sends: every reconciled entry with its level and properties. */
export function policyConfig(reconciled: ReconciledConfig): Map<string, analyzer.PolicyConfig> {
  const out = new Map<string, analyzer.PolicyConfig>();
  for (const [name, entry] of reconciled) {
    const pc = new analyzer.PolicyConfig();
    pc.setEnforcementlevel(LEVEL_CODES[entry.enforcementLevel]);
    pc.setProperties(Struct.fromJavaScript((entry.properties ?? {}) as Record<string, JavaScriptValue>));
    out.set(name, pc);
  }
  return out;
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/** The root stack resource's URN, which the engine gives a stack finding that names no resource of the stack. */
export function rootStackUrn(plan: PlanFile): string {
  return plan.resources.find((r) => r.type === ROOT_STACK_TYPE)?.urn ?? engineRootStackUrn(plan.stack, plan.project);
}

/**
 * A diagnostic as the engine records it: a per-resource finding belongs to the
 * resource analyzed, whatever URN it carries; a stack finding keeps its URN when
 * that names a resource of the stack, else it goes to the root stack. A
 * remediate-level finding that is still reported counts as mandatory.
 */
function toViolation(d: analyzer.AnalyzeDiagnostic, urn: string, byUrn: Map<string, PlanResource>, rootUrn: string): Violation {
  const level = LEVELS[d.getEnforcementlevel()] ?? "advisory";
  return {
    policy: d.getPolicyname(),
    enforcementLevel: level === "remediate" ? "mandatory" : level,
    urn,
    region: urn === rootUrn ? "stack" : (byUrn.get(urn)?.region ?? "stack"),
    message: d.getMessage(),
    severity: SEVERITIES[d.getSeverity()] ?? "unspecified",
  };
}

const SORT_LEVEL: Record<string, number> = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 };

function byRegionThenPolicy(a: Violation, b: Violation): number {
  return (
    a.region.localeCompare(b.region) ||
    SORT_LEVEL[a.enforcementLevel] - SORT_LEVEL[b.enforcementLevel] ||
    a.policy.localeCompare(b.policy) ||
    (a.urn ?? "").localeCompare(b.urn ?? "")
  );
}

/** Runs the whole protocol sequence for one plan on a started pack. A session may check several plans. */
export async function checkPlan(session: AnalyzerSession, plan: PlanFile, config: PackConfig, configSource?: string): Promise<CheckReport> {
  await session.getPluginInfo();
  const info = await session.getAnalyzerInfo();
  const reconciled = reconcilePolicyConfig(packInfo(info), config, configSource);
  // The CLI skips Configure when there is nothing to send.
  if (reconciled.size > 0) await session.configure(policyConfig(reconciled));
  const policies = policiesOf(info).map((p) => ({ ...p, enforcementLevel: reconciled.get(p.name)?.enforcementLevel ?? p.enforcementLevel }));

  const providers = indexProviders(plan);
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const rootUrn = rootStackUrn(plan);
  const perResource = await inBatches(plan.resources, ANALYZE_CONCURRENCY, async (r) =>
    (await session.analyze(analyzeRequest(r, providers))).getDiagnosticsList().map((d) => toViolation(d, r.urn, byUrn, rootUrn)),
  );
  const stackReq = new analyzer.AnalyzeStackRequest();
  stackReq.setResourcesList(plan.resources.map((r) => stackResource(r, providers)));
  const stackWide = (await session.analyzeStack(stackReq))
    .getDiagnosticsList()
    .map((d) => toViolation(d, byUrn.has(d.getUrn()) ? d.getUrn() : rootUrn, byUrn, rootUrn));

  const all = [...perResource.flat(), ...stackWide];
  const waived = all.filter((v) => v.message.startsWith(WAIVED_MARK)).sort(byRegionThenPolicy);
  const violations = all.filter((v) => !v.message.startsWith(WAIVED_MARK)).sort(byRegionThenPolicy);

  const waivers = listWaivers(config, utcToday()).map((entry): WaiverReport => {
    if (entry.status === "invalid") {
      return {
        policy: entry.policy,
        resource: null,
        reason: null,
        expires: null,
        ticket: null,
        status: "invalid",
        suppressed: 0,
        description: entry.problems.join(", "),
      };
    }
    const w = entry.waiver;
    const suppressed = entry.status === "active" ? waived.filter((v) => v.policy === w.policy && waiverCovers(w, v.urn, byUrn.get(v.urn)?.name)).length : 0;
    return {
      policy: w.policy,
      resource: w.resource,
      reason: w.reason,
      expires: w.expires,
      ticket: w.ticket ?? null,
      status: entry.status,
      suppressed,
      description: describeWaiver(w),
    };
  });

  // valid-waivers is checked by every policy on its own waivers, so the pack does not list it: add its metadata where waivers are in play.
  const waiversInPlay = waivers.length > 0 || all.some((v) => v.policy === VALID_WAIVERS.name);
  const withWaiverPolicy = !waiversInPlay || policies.some((p) => p.name === VALID_WAIVERS.name) ? policies : [...policies, { ...VALID_WAIVERS }];
  return {
    pack: { name: info.getName(), version: info.getVersion() },
    stack: plan.stack,
    project: plan.project,
    resources: plan.resources.length,
    violations,
    waived,
    waivers,
    policies: withWaiverPolicy,
  };
}

export interface RunOptions {
  packDir: string;
  plan: PlanFile;
  config: PackConfig;
  stackConfig?: Record<string, string>;
  env?: Record<string, string>;
}

/** Starts the pack, checks the plan, stops the pack. */
export async function runCheck(options: RunOptions): Promise<CheckReport> {
  const session = await AnalyzerSession.start({
    packDir: options.packDir,
    stack: options.plan.stack,
    project: options.plan.project,
    stackConfig: options.stackConfig,
    env: options.env,
  });
  try {
    return await checkPlan(session, options.plan, options.config);
  } finally {
    await session.close();
  }
}

export function hasMandatory(report: CheckReport): boolean {
  return report.violations.some((v) => v.enforcementLevel === "mandatory");
}
