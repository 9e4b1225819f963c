// Turns a policy's spec and its check into a @pulumi/policy policy. Every
// policy gets the same treatment here, so no check repeats it:
//  - an unknown property the check reads becomes a finding of that policy at
//    its own level (never the runtime's silent advisory), naming the property;
//  - findings carry severity, remediation and the docs link;
//  - the policy's waivers are read from its config: active ones turn matching
//    findings into advisory notes, bad or expired ones are `valid-waivers`
//    violations.
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationPolicy,
  Severity,
  StackValidationPolicy,
} from "@pulumi/policy";
import { invalidWaiverMessage, readWaivers, utcToday, VALID_WAIVERS, WAIVED_MARK, WAIVERS_CONFIG_SCHEMA, waiverCovers, type Waiver } from "../waivers";
import { docsUrl } from "./docs";
import { StackIndex, describe, regionLabel, regionOfName } from "./resources";
import { isUnknownValueError, unknownPath } from "./runtime";

export interface PolicySpec {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  /** What to do about a finding, in general; each finding says what is wrong specifically. */
  remediationSteps: string;
}

/** The parts of a resource a check may name in a finding. */
export interface Subject {
  urn: string;
  name: string;
  type: string;
}

export interface CheckContext {
  /** Records a finding against a resource (or the stack, without one). */
  report(subject: Subject | undefined, message: string): void;
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
  message: string;
}

class Collector implements CheckContext {
  readonly findings: Finding[] = [];

  constructor(private readonly policyName: string) {}

  report(subject: Subject | undefined, message: string): void {
    // A check may read the same property of a resource more than once (e.g. per function); say it once.
    if (this.findings.some((f) => f.subject?.urn === subject?.urn && f.message === message)) return;
    this.findings.push({ subject, message });
  }

  private unknown(subject: Subject, e: unknown): undefined {
    if (!isUnknownValueError(e)) throw e;
    this.report(
      subject,
      `${regionOfSubject(subject)}: ${describe(subject)}: props.${unknownPath(e)} is unknown at preview time, so ${this.policyName} cannot verify it. ` +
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

/** A stack resource knows its parents; a resource under Analyze only its `<region>-<role>` name. */
function regionOfSubject(subject: Subject): string {
  return "props" in subject && "dependencies" in subject ? regionLabel(subject as PolicyResource) : (regionOfName(subject.name) ?? "(global)");
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

/** Sends a check's findings to the policy server; those an active waiver covers go as advisory notes. */
function deliverFindings(spec: PolicySpec, config: unknown, findings: Finding[], reportViolation: ReportViolation): void {
  const report = reportObject(reportViolation);
  const active: Waiver[] = readWaivers(spec.name, config, utcToday()).flatMap((e) => (e.status === "active" ? [e.waiver] : []));
  for (const f of findings) {
    const waiver = active.find((w) => waiverCovers(w, f.subject?.urn, f.subject?.name));
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
    configSchema: WAIVERS_CONFIG_SCHEMA,
  };
}

export type StackCheck = (stack: StackIndex, ctx: CheckContext) => void | Promise<void>;

/** A policy over the whole stack (cross-resource and cross-region checks). */
export function stackPolicy(spec: PolicySpec, check: StackCheck): StackValidationPolicy {
  return {
    ...metadata(spec),
    validateStack: async (args, reportViolation) => {
      const ctx = new Collector(spec.name);
      await check(new StackIndex(args.resources), ctx);
      deliverWaiverProblems(spec, args.getConfig(), args.resources, reportViolation);
      deliverFindings(spec, args.getConfig(), ctx.findings, reportViolation);
    },
  };
}

/** A resource as a resource policy sees it: props behind the runtime's unknown-checking proxy. */
export interface ResourceUnderTest extends Subject {
  props: Record<string, unknown>;
}

export type ResourceCheck = (resource: ResourceUnderTest, ctx: CheckContext) => void | Promise<void>;

/**
 * A policy over one resource at a time, for checks that need nothing else.
 * Its waivers are validated once per stack (the server runs a policy with both
 * validate functions in Analyze and in AnalyzeStack), not once per resource.
 */
export function resourcePolicy(spec: PolicySpec, check: ResourceCheck): ResourceValidationPolicy & StackValidationPolicy {
  return {
    ...metadata(spec),
    validateResource: async (args, reportViolation) => {
      const ctx = new Collector(spec.name);
      const subject: ResourceUnderTest = { urn: args.urn, name: args.name, type: args.type, props: args.props as Record<string, unknown> };
      await check(subject, ctx);
      deliverFindings(spec, args.getConfig(), ctx.findings, reportViolation);
    },
    validateStack: (args, reportViolation) => deliverWaiverProblems(spec, args.getConfig(), args.resources, reportViolation),
  };
}
