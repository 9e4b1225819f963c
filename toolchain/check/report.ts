// The three forms of a check report: text grouped by region (for people),
// JSON (for scripts: `{ violations, waivers }` plus context), and SARIF 2.1.0
// (for GitHub code scanning; waived findings appear as suppressed results).
import type { CheckReport, Violation } from "./run-check";

const MARK: Record<string, string> = { mandatory: "x", remediate: "x", advisory: "!", disabled: "-" };

function indent(text: string, pad: string): string {
  return text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}

function resourceName(v: Violation): string {
  return v.urn ? v.urn.slice(v.urn.lastIndexOf("::") + 2) : "(stack)";
}

/** One pack's findings by region, then its waivers. */
function packSection(report: CheckReport, time: string): string[] {
  const lines: string[] = [];
  lines.push(`${report.pack.name} ${report.pack.version}: stack ${report.stack} (${report.resources} resources, ${report.policies.length} policies)${time}`);
  const regions = [...new Set(report.violations.map((v) => v.region))];
  for (const region of regions) {
    lines.push("", region);
    for (const v of report.violations.filter((x) => x.region === region)) {
      lines.push(`  ${MARK[v.enforcementLevel] ?? "?"} [${v.enforcementLevel}] ${v.policy}  ${resourceName(v)}`);
      lines.push(indent(v.message, "      "));
    }
  }
  if (report.waivers.length > 0) {
    lines.push("", `Waivers (${report.waivers.length}):`);
    for (const w of report.waivers) {
      const effect =
        w.status === "active" ? ` - suppressed ${w.suppressed} finding${w.suppressed === 1 ? "" : "s"}` : " - suppresses nothing (see valid-waivers)";
      lines.push(`  ${w.status.padEnd(7)} ${w.description}${effect}`);
    }
  }
  return lines;
}

/** Every pack's section, then one verdict: FAILED when any pack reports a mandatory violation. */
export function formatReports(reports: CheckReport[], seconds?: number): string {
  const time = seconds === undefined ? "" : ` in ${seconds.toFixed(1)} s`;
  const lines = reports.flatMap((r, i) => [...(i > 0 ? [""] : []), ...packSection(r, i === 0 ? time : "")]);
  const all = reports.flatMap((r) => r.violations);
  const mandatory = all.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = all.length - mandatory;
  lines.push(
    "",
    mandatory > 0
      ? `FAILED: ${mandatory} mandatory and ${advisory} advisory violation${advisory === 1 ? "" : "s"}; this stack must not be deployed.`
      : `PASSED: no mandatory violations${advisory > 0 ? ` (${advisory} advisory)` : ""}.`,
  );
  return lines.join("\n");
}

export function formatText(report: CheckReport, seconds?: number): string {
  return formatReports([report], seconds);
}

export function toJson(report: CheckReport): object {
  return {
    stack: report.stack,
    project: report.project,
    pack: report.pack,
    violations: report.violations.map((v) => ({
      policy: v.policy,
      enforcementLevel: v.enforcementLevel,
      urn: v.urn,
      region: v.region,
      message: v.message,
      severity: v.severity,
    })),
    waivers: report.waivers,
    waived: report.waived,
  };
}

const SARIF_LEVEL: Record<string, string> = { mandatory: "error", remediate: "error", advisory: "warning", disabled: "none" };
/** GitHub code scanning ranks security results by this 0-10 score. */
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "2.0" };

/** SARIF 2.1.0. Results point at the stack's config file; the resource URN is the logical location. */
export function toSarif(report: CheckReport, stackFile: string): object {
  const result = (v: Violation, suppressed: boolean) => ({
    ruleId: v.policy,
    level: suppressed ? "note" : (SARIF_LEVEL[v.enforcementLevel] ?? "warning"),
    message: { text: `[${v.region}] ${v.message}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: stackFile }, region: { startLine: 1 } },
        ...(v.urn ? { logicalLocations: [{ fullyQualifiedName: v.urn, name: resourceName(v), kind: "resource" }] } : {}),
      },
    ],
    partialFingerprints: { "policyResource/v1": `${v.policy}|${v.urn ?? "stack"}|${v.message.split("\n")[0]}` },
    properties: { region: v.region, enforcementLevel: v.enforcementLevel, severity: v.severity },
    ...(suppressed ? { suppressions: [{ kind: "external", status: "accepted", justification: v.message.split(":")[0] }] } : {}),
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.pack.name,
            version: report.pack.version,
            informationUri: report.policies[0]?.url.split("#")[0],
            rules: report.policies.map((p) => ({
              id: p.name,
              name: p.name,
              shortDescription: { text: p.description },
              fullDescription: { text: p.description },
              helpUri: p.url,
              help: { text: `${p.remediationSteps}\nDocs: ${p.url}`, markdown: `${p.remediationSteps}\n\n[Documentation](${p.url})` },
              defaultConfiguration: { level: SARIF_LEVEL[p.enforcementLevel] ?? "warning" },
              properties: { tags: ["pulumi-policy", p.enforcementLevel], "security-severity": SECURITY_SEVERITY[p.severity] ?? "5.0", severity: p.severity },
            })),
          },
        },
        automationDetails: { id: `${report.pack.name}/${report.stack}/` },
        results: [...report.violations.map((v) => result(v, false)), ...report.waived.map((v) => result(v, true))],
        properties: { stack: report.stack, waivers: report.waivers },
      },
    ],
  };
}

/** JSON for several packs: every pack's violations (each naming its pack), waivers and waived findings together. */
export function toJsonReports(reports: CheckReport[]): object {
  const tag = <T>(r: CheckReport, xs: T[]) => xs.map((x) => ({ policyPack: r.pack.name, ...x }));
  const first = toJson(reports[0]) as Record<string, unknown>;
  return {
    ...first,
    packs: reports.map((r) => r.pack),
    violations: reports.flatMap((r) => tag(r, (toJson(r) as { violations: object[] }).violations)),
    waivers: reports.flatMap((r) => tag(r, r.waivers)),
    waived: reports.flatMap((r) => tag(r, r.waived)),
  };
}

/** SARIF with one run per pack. */
export function toSarifReports(reports: CheckReport[], stackFile: string): object {
  const sarifs = reports.map((r) => toSarif(r, stackFile) as { runs: object[] });
  return { ...sarifs[0], runs: sarifs.flatMap((x) => x.runs) };
}
