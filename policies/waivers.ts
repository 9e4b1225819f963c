// Waivers: a policy's config may list exceptions for named resources. Each
// needs a reason and an expiry date; a ticket is recommended. An active waiver
// turns its policy's findings on matching resources into advisory notes; a
// waiver without reason or expiry, with a malformed date, or past its expiry,
// suppresses nothing and is itself a `valid-waivers` violation. Pure: the
// check tool lists waivers with the same functions the pack applies them with.
import type { EnforcementLevel, PolicyConfigSchema, Severity } from "@pulumi/policy";
import { docsUrl } from "./support/docs";

export const VALID_WAIVERS = {
  name: "valid-waivers",
  description: "Every waiver in the policy pack's config has a reason, a valid expiry date that has not passed, and names a resource.",
  enforcementLevel: "mandatory" as EnforcementLevel,
  severity: "high" as Severity,
  remediationSteps:
    "Give the waiver a `reason` and an `expires` date (YYYY-MM-DD) no later than the fix is due, or delete it once the finding is fixed; renew an expired waiver only with a new reason and ticket.",
  url: docsUrl("valid-waivers"),
};

/** Marks a finding an active waiver covers; the check tool lists these under waivers, not violations. */
export const WAIVED_MARK = "[waived]";

export interface Waiver {
  policy: string;
  /** A URN, or a glob over logical names or URNs (`*`, `?`), e.g. `eu-south-2-*`. */
  resource: string;
  reason: string;
  /** Last day (UTC, inclusive) the waiver applies: YYYY-MM-DD. */
  expires: string;
  ticket?: string;
}

export type WaiverEntry =
  | { status: "active"; waiver: Waiver }
  | { status: "expired"; waiver: Waiver; problems: string[] }
  | { status: "invalid"; policy: string; index: number; raw: unknown; problems: string[] };

/** JSON schema of the `waivers` list every policy accepts; loose on purpose, so a bad waiver reaches the pack and is reported, not rejected as config. */
export const WAIVERS_CONFIG_SCHEMA: PolicyConfigSchema = {
  properties: {
    waivers: {
      type: "array",
      description: "Exceptions to this policy: { resource, reason, expires (YYYY-MM-DD), ticket }.",
      items: {
        type: "object",
        properties: {
          resource: { type: "string" },
          reason: { type: "string" },
          expires: { type: "string" },
          ticket: { type: "string" },
        },
      },
    },
  },
};

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function text(v: unknown): string | undefined {
  return typeof v === "string" && v.trim().length > 0 ? v.trim() : undefined;
}

/** Today's date in UTC as YYYY-MM-DD. */
export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Classifies the waivers listed in one policy's config. `today` is YYYY-MM-DD (UTC). */
export function readWaivers(policy: string, config: unknown, today: string): WaiverEntry[] {
  const list = typeof config === "object" && config !== null ? (config as { waivers?: unknown }).waivers : undefined;
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    return [
      { status: "invalid", policy, index: -1, raw: list, problems: ["`waivers` is not a list; expected a list of { resource, reason, expires, ticket }"] },
    ];
  }
  return list.map((raw: unknown, index): WaiverEntry => {
    const obj = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const resource = text(obj.resource);
    const reason = text(obj.reason);
    const expires = text(obj.expires);
    const ticket = text(obj.ticket);
    const problems: string[] = [];
    if (!resource) problems.push("has no `resource` (a URN or a name pattern such as `eu-south-2-*`)");
    if (!reason) problems.push("has no `reason`");
    if (!expires) problems.push("has no `expires` date (YYYY-MM-DD)");
    else if (!isRealDate(expires)) problems.push(`has \`expires\` ${JSON.stringify(expires)}, which is not a date; expected YYYY-MM-DD`);
    if (problems.length > 0 || !resource || !reason || !expires) return { status: "invalid", policy, index, raw, problems };
    const waiver: Waiver = { policy, resource, reason, expires, ...(ticket ? { ticket } : {}) };
    if (expires < today) return { status: "expired", waiver, problems: [`expired on ${expires}`] };
    return { status: "active", waiver };
  });
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

/** Does the waiver's resource pattern cover this resource? Exact URN, or a glob over the logical name or the URN. */
export function waiverCovers(waiver: Waiver, urn: string | undefined, name: string | undefined): boolean {
  if (urn !== undefined && waiver.resource === urn) return true;
  const re = globToRegExp(waiver.resource);
  return (name !== undefined && re.test(name)) || (urn !== undefined && waiver.resource.startsWith("urn:") && re.test(urn));
}

/** One line naming a waiver, for messages and reports. */
export function describeWaiver(w: Waiver): string {
  return `${w.policy} on ${w.resource} until ${w.expires}${w.ticket ? ` (${w.ticket})` : ""}: ${w.reason}`;
}

/** The message of a waiver that is itself a violation. */
export function invalidWaiverMessage(entry: Exclude<WaiverEntry, { status: "active" }>): string {
  if (entry.status === "expired") {
    return `waiver of ${entry.waiver.policy} for ${entry.waiver.resource} ${entry.problems.join("; ")}${entry.waiver.ticket ? ` (${entry.waiver.ticket})` : ""}; it no longer suppresses anything`;
  }
  const where = entry.index >= 0 ? `waiver #${entry.index + 1} of ${entry.policy}` : `waivers of ${entry.policy}`;
  return `${where} ${entry.problems.join(", ")}; it suppresses nothing until fixed (got ${JSON.stringify(entry.raw)})`;
}
