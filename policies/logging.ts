// central-log-shipping: every log group any resource writes to, in every
// region, ships to an approved destination of its region's jurisdiction. The
// story's region had logs nobody could find because central logging did not
// reach it.
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { globMatch } from "./support/iam-statements";
import { followFilter, filtersOf, writtenGroups, type Hop, type WrittenGroup } from "./support/log-groups";
import { has, num } from "./support/props";
import { builtInJurisdiction } from "./support/regions";
import { UNKNOWN_REGION, type StackIndex } from "./support/resources";

export interface ApprovedDestination {
  /** ARN glob of a Logs destination, Firehose or Kinesis stream (`*` matches any text, including the account). */
  arn: string;
  /** Jurisdictions whose logs may go there; default: the jurisdiction of the region in the ARN. */
  jurisdictions?: string[];
  description?: string;
}

export interface LogShippingConfig {
  /** Region -> jurisdiction, over the built-in ones (the region's geography: eu, us, ap, ...). */
  jurisdictions?: Record<string, string>;
  /** When set, only these destinations count; when not, any Logs destination, Firehose or Kinesis stream does. */
  approvedDestinations?: ApprovedDestination[];
}

const JURISDICTION = { type: "string", pattern: "^[a-z][a-z0-9-]*$", description: 'a jurisdiction label such as "eu"' } as const;

export const centralLogShippingSpec: PolicySpec = {
  name: "central-log-shipping",
  description:
    "Every CloudWatch log group a resource writes to (functions, ECS containers, API access logs, RDS exports, state machines, VPC flow logs, EKS) ships through a subscription filter to an approved log destination of its region's jurisdiction; declared log groups have a finite retention.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Declare the log group the resource writes to (for Lambda `/aws/lambda/<function name>` or loggingConfig.logGroup) with retentionInDays, and a LogSubscriptionFilter on it whose destination is your organisation's log destination for the region's jurisdiction (listed in the pack config's approvedDestinations).",
  config: {
    jurisdictions: { type: "object", additionalProperties: JURISDICTION, description: "Region -> jurisdiction, over the built-in geography of each region." },
    approvedDestinations: {
      type: "array",
      description:
        "Log destinations logs may ship to: { arn: ARN glob, jurisdictions?: [...], description? }. Unset: any Logs destination, Firehose or Kinesis stream.",
      items: {
        type: "object",
        required: ["arn"],
        additionalProperties: false,
        properties: { arn: { type: "string", minLength: 1 }, jurisdictions: { type: "array", items: JURISDICTION }, description: { type: "string" } },
      },
    },
  },
};

function jurisdictionOf(region: string, config: LogShippingConfig): string {
  return config.jurisdictions?.[region] ?? builtInJurisdiction(region);
}

/** The approved destination a filter's hops reach and the jurisdictions it serves, or why none. */
function approval(hops: Hop[], config: LogShippingConfig): { hop: Hop; jurisdictions: string[] } | string {
  // The last hop is where the data ends up; a forwarding Logs destination before it may be what is approved.
  const candidates = [...hops].reverse();
  if (config.approvedDestinations === undefined) {
    const archive = candidates.find((h) => h.archive);
    if (!archive) return `${hops.map((h) => h.arn).join(" -> ")} is not a log destination (a Logs destination, Firehose or Kinesis stream)`;
    return { hop: archive, jurisdictions: archive.region ? [jurisdictionOf(archive.region, config)] : [] };
  }
  for (const hop of candidates) {
    const entry = config.approvedDestinations.find((d) => globMatch(d.arn, hop.arn));
    if (entry) return { hop, jurisdictions: entry.jurisdictions ?? (hop.region ? [jurisdictionOf(hop.region, config)] : []) };
  }
  return `${hops.map((h) => h.arn).join(" -> ")} is not an approved log destination (approvedDestinations: ${config.approvedDestinations.map((d) => d.arn).join(", ") || "none"})`;
}

function checkGroup(stack: StackIndex, ctx: CheckContext, g: WrittenGroup, config: LogShippingConfig): void {
  const region = g.region ?? UNKNOWN_REGION;
  const subject = g.resource ?? g.writer;
  const shown = g.name ?? g.resource?.name ?? "(unnamed log group)";
  if (g.resource) {
    const group = g.resource;
    const retention = ctx.inspect(group, () => ({ set: has(group.props, "retentionInDays"), days: num(group.props.retentionInDays) }));
    if (retention && (retention.days === undefined || retention.days <= 0)) {
      ctx.report(
        group,
        `${region}: log group ${shown} (${g.what}) keeps logs forever (retentionInDays ${retention.set ? "is 0" : "is not set"}); set a finite retention`,
      );
    }
  }
  if (g.name === undefined && g.resource === undefined) return;
  const filters = filtersOf(stack, ctx, g);
  if (filters.length === 0) {
    const declared = g.resource ? "" : "; it is not declared in the stack, so AWS creates it on first write with no retention";
    ctx.report(subject, `${region}: log group ${shown} (${g.what}) has no subscription filter, so its logs never reach a central archive${declared}`);
    return;
  }
  const source = g.region ? jurisdictionOf(g.region, config) : undefined;
  const outcomes = filters.map((f) => ({ filter: f, hops: followFilter(stack, ctx, f) }));
  if (outcomes.some((o) => o.hops === undefined)) return;
  const verdicts = outcomes.map((o) => ({ filter: o.filter, verdict: typeof o.hops === "string" ? o.hops : approval(o.hops as Hop[], config) }));
  const good = verdicts.filter((v) => typeof v.verdict === "object");
  if (good.length === 0) {
    for (const v of verdicts)
      ctx.report(
        v.filter,
        `${region}: subscription filter ${v.filter.name} of log group ${shown} (${g.what}) does not ship to an approved log destination: ${String(v.verdict)}`,
      );
    return;
  }
  if (source === undefined) return;
  const inJurisdiction = good.some((v) => typeof v.verdict === "object" && v.verdict.jurisdictions.includes(source));
  if (!inJurisdiction) {
    const v = good[0];
    const a = v.verdict as { hop: Hop; jurisdictions: string[] };
    ctx.report(
      v.filter,
      `${region}: log group ${shown} (${g.what}) is in jurisdiction ${source} but ships to ${a.hop.arn}, a destination for ${a.jurisdictions.join(", ") || "an unknown jurisdiction"}; ship it to an approved destination of jurisdiction ${source}`,
    );
  }
}

export const centralLogShipping = stackPolicy<LogShippingConfig>(centralLogShippingSpec, (stack, ctx, config) => {
  const { groups, problems } = writtenGroups(stack, ctx);
  for (const p of problems) ctx.report(p.writer, `${stack.regionLabel(p.writer)}: ${p.message}`);
  for (const g of groups) checkGroup(stack, ctx, g, config);
});
