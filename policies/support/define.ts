// Turns a policy's spec and its check into a @pulumi/policy policy. Every
// policy gets the same treatment here, so no check repeats it:
//  - its config is checked against the schema it declares (a misspelled key is
//    a finding, not a setting silently ignored) and handed to the check typed;
//  - an unknown property the check reads becomes a finding of that policy at
//    its own level (never the runtime's silent advisory), naming the property;
//  - findings carry the region, severity, remediation and the docs link;
//  - the policy's waivers are read from its config: active ones turn matching
//    findings into advisory notes, bad or expired ones are `valid-waivers`
//    violations. A finding may name related resources (a tie between regions);
//    a waiver of any of them covers it.
import type { EnforcementLevel, PolicyResource, ReportViolation, ResourceValidationPolicy, Severity, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { invalidWaiverMessage, readWaivers, utcToday, VALID_WAIVERS, WAIVED_MARK, WAIVERS_CONFIG_SCHEMA, waiverCovers, type Waiver } from "../waivers";
import { configProblems } from "./config-schema";
import { docsUrl } from "./docs";
import { customResourceRegion, describe, StackIndex, UNKNOWN_REGION, type Subject } from "./resources";
import { isUnknownValueError, unknownPath } from "./runtime";

export type { Subject } from "./resources";

export interface PolicySpec {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  /** What to do about a finding, in general; each finding says what is wrong specifically. */
  remediationSteps: string;
  /** The policy's own settings (waivers come with every policy), as JSON schema properties. */
  config?: Record<string, PolicyConfigJSONSchema>;
}

export interface CheckContext {
  /** Records a finding against a resource (or the stack, without one); a waiver of a related resource covers it too. */
  report(subject: Subject | undefined, message: string, related?: Subject[]): void;
  /**
   * Runs `read` and returns its value; if it touches a property unknown at
   * preview time, records that as a finding against `subject` and returns undefined.
   */
  inspect<R>(subject: Subject, read: () => R): R | undefined;
  inspectAsync<R>(subject: Subject, read: () => Promise<R>): Promise<R | undefined>;
}

/** What @pulumi/policy's server accepts besides a plain message (server.js makeReportViolationFun). */
interface ViolationReport {
  name?: string;
  message: string;
  urn?: string;
  enforcementLevel?: EnforcementLevel;
  severity?: Severity;
}

function reportObject(report: ReportViolation): (v: ViolationReport) => void {
  return report as unknown as (v: ViolationReport) => void;
}

interface Finding {
  subject?: Subject;
  related: Subject[];
  message: string;
}

class Collector implements CheckContext {
  readonly findings: Finding[] = [];

  constructor(
    private readonly policyName: string,
    private readonly regionLabel: (s: Subject) => string,
  ) {}

  report(subject: Subject | undefined, message: string, related: Subject[] = []): void {
    // A check may read the same property of a resource more than once (e.g. per function); say it once.
    if (this.findings.some((f) => f.subject?.urn === subject?.urn && f.message === message)) return;
    this.findings.push({ subject, related, message });
  }

  private unknown(subject: Subject, e: unknown): undefined {
    if (!isUnknownValueError(e)) throw e;
    this.report(
      subject,
      `${this.regionLabel(subject)}: ${describe(subject)}: props.${unknownPath(e)} is unknown at preview time, so ${this.policyName} cannot verify it. ` +
        "Make the value known before deployment (derive it from config or explicit names rather than another resource's output), or waive this resource.",
    );
    return undefined;
  }

  inspect<R>(subject: Subject, read: () => R): R | undefined {
    try {
      return read();
    } catch (e) {
      return this.unknown(subject, e);
    }
  }

  async inspectAsync<R>(subject: Subject, read: () => Promise<R>): Promise<R | undefined> {
    try {
      return await read();
    } catch (e) {
      return this.unknown(subject, e);
    }
  }
}

function footer(spec: PolicySpec): string {
  return `severity: ${spec.severity} | fix: ${spec.remediationSteps} | docs: ${docsUrl(spec.name)}`;
}

/** Reports each waiver of this policy that is itself a violation, against the first resource it names. */
function deliverWaiverProblems(spec: PolicySpec, config: unknown, resources: readonly PolicyResource[], reportViolation: ReportViolation): void {
  const report = reportObject(reportViolation);
  for (const entry of readWaivers(spec.name, config, utcToday())) {
    if (entry.status === "active") continue;
    const pattern = entry.status === "expired" ? entry.waiver : undefined;
    const target = pattern ? [...resources].sort((a, b) => a.name.localeCompare(b.name)).find((r) => waiverCovers(pattern, r.urn, r.name)) : undefined;
    report({
      name: VALID_WAIVERS.name,
      enforcementLevel: VALID_WAIVERS.enforcementLevel,
      severity: VALID_WAIVERS.severity,
      urn: target?.urn,
      message: `${invalidWaiverMessage(entry)}\nseverity: ${VALID_WAIVERS.severity} | fix: ${VALID_WAIVERS.remediationSteps} | docs: ${VALID_WAIVERS.url}`,
    });
  }
}

function covers(w: Waiver, f: Finding): boolean {
  return [f.subject, ...f.related].some((s) => waiverCovers(w, s?.urn, s?.name));
}

/** Sends a check's findings to the policy server; those an active waiver covers go as advisory notes. */
function deliverFindings(spec: PolicySpec, config: unknown, findings: Finding[], reportViolation: ReportViolation): void {
  const report = reportObject(reportViolation);
  const active: Waiver[] = readWaivers(spec.name, config, utcToday()).flatMap((e) => (e.status === "active" ? [e.waiver] : []));
  for (const f of findings) {
    const waiver = active.find((w) => covers(w, f));
    const text = `${f.message}\n${footer(spec)}`;
    if (waiver) {
      report({
        message: `${WAIVED_MARK} until ${waiver.expires}${waiver.ticket ? ` (${waiver.ticket})` : ""}, ${waiver.reason}: ${text}`,
        urn: f.subject?.urn,
        enforcementLevel: "advisory",
        severity: spec.severity,
      });
    } else {
      report({ message: text, urn: f.subject?.urn, severity: spec.severity });
    }
  }
}

function metadata(spec: PolicySpec) {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: spec.enforcementLevel,
    severity: spec.severity,
    remediationSteps: spec.remediationSteps,
    url: docsUrl(spec.name),
    configSchema: { properties: { ...WAIVERS_CONFIG_SCHEMA.properties, ...(spec.config ?? {}) } },
  };
}

/** The config as received when it matches the schema; otherwise a finding naming each bad key (and the check does not run). */
function validConfig<C>(spec: PolicySpec, raw: unknown, ctx: CheckContext): C | undefined {
  const problems = configProblems(spec.name, { properties: spec.config ?? {} }, raw);
  if (problems.length === 0) return (raw ?? {}) as C;
  ctx.report(
    undefined,
    `the policy pack config is invalid, so ${spec.name} did not run: ${problems.join("; ")}. Fix the config file given to the pack (--policy-pack-config).`,
  );
  return undefined;
}

export type StackCheck<C> = (stack: StackIndex, ctx: CheckContext, config: C) => void | Promise<void>;

/** A policy over the whole stack (cross-resource and cross-region checks). */
export function stackPolicy<C = Record<string, unknown>>(spec: PolicySpec, check: StackCheck<C>): StackValidationPolicy {
  return {
    ...metadata(spec),
    validateStack: async (args, reportViolation) => {
      const stack = new StackIndex(args.resources);
      const ctx = new Collector(spec.name, (s) => {
        const r = stack.byUrn(s.urn);
        return r ? stack.regionLabel(r) : UNKNOWN_REGION;
      });
      const raw = args.getConfig();
      const config = validConfig<C>(spec, raw, ctx);
      if (config !== undefined) await check(stack, ctx, config);
      deliverWaiverProblems(spec, raw, args.resources, reportViolation);
      deliverFindings(spec, raw, ctx.findings, reportViolation);
    },
  };
}

/** A resource as a resource policy sees it: props behind the runtime's unknown-checking proxy, and its region. */
export interface ResourceUnderTest extends Subject {
  props: Record<string, unknown>;
  region: string;
}

export type ResourceCheck<C> = (resource: ResourceUnderTest, ctx: CheckContext, config: C) => void | Promise<void>;

/**
 * A policy over one resource at a time, for checks that need nothing else.
 * Its waivers and config are reported once per stack (the server runs a policy
 * with both validate functions in Analyze and in AnalyzeStack), not once per resource.
 */
export function resourcePolicy<C = Record<string, unknown>>(spec: PolicySpec, check: ResourceCheck<C>): ResourceValidationPolicy & StackValidationPolicy {
  return {
    ...metadata(spec),
    validateResource: async (args, reportViolation) => {
      const region = customResourceRegion({ type: args.type, props: args.props as Record<string, unknown>, provider: args.provider }) ?? UNKNOWN_REGION;
      const ctx = new Collector(spec.name, () => region);
      const raw = args.getConfig();
      if (configProblems(spec.name, { properties: spec.config ?? {} }, raw).length > 0) return;
      const subject: ResourceUnderTest = { urn: args.urn, name: args.name, type: args.type, props: args.props as Record<string, unknown>, region };
      await check(subject, ctx, (raw ?? {}) as C);
      deliverFindings(spec, raw, ctx.findings, reportViolation);
    },
    validateStack: (args, reportViolation) => {
      const ctx = new Collector(spec.name, () => UNKNOWN_REGION);
      const raw = args.getConfig();
      validConfig<C>(spec, raw, ctx);
      deliverWaiverProblems(spec, raw, args.resources, reportViolation);
      deliverFindings(spec, raw, ctx.findings, reportViolation);
    },
  };
}
