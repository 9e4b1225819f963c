// central-log-shipping: every function's logs, in every region, reach the
// central archive of its jurisdiction. The story's region had logs nobody
// could find because central logging did not reach it.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { has, num, obj, str, tagsOf } from "./support/props";
import { T, describe, geographyOf, regionOf, regionOfArn, type StackIndex } from "./support/resources";

export const centralLogShippingSpec: PolicySpec = {
  name: "central-log-shipping",
  description:
    "Every function in every region has its log group with a finite retention and a subscription filter to the central log archive of its jurisdiction.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create the function's log group `/aws/lambda/<function name>` with retentionInDays set, and a LogSubscriptionFilter on it whose destination is the region's CloudWatch Logs destination forwarding to the archive of the region's jurisdiction (RegionalPipeline does this through createFunction).",
};

const ARCHIVE_TYPES: readonly string[] = [T.firehose, T.kinesisStream];

/** Where a subscription filter's data ends up: the archive resource (or ARN) and its region. */
interface ArchiveTarget {
  id: string;
  region: string | undefined;
  jurisdiction: string | undefined;
}

/** The region of a resource outside any RegionalPipeline: its own region property, its provider's, or its tag. */
function placedRegion(r: PolicyResource, ctx: CheckContext): string | undefined {
  return (
    regionOf(r) ??
    ctx.inspect(r, () => str(r.props.region)) ??
    str(r.provider?.props.region) ??
    ctx.inspect(r, () => str(tagsOf(r)["pipeline:region"]))
  );
}

function archiveOf(resource: PolicyResource, ctx: CheckContext): ArchiveTarget {
  const jurisdiction = ctx.inspect(resource, () => str(tagsOf(resource)["pipeline:jurisdiction"]));
  return { id: resource.urn, region: placedRegion(resource, ctx), jurisdiction };
}

/** Follows a filter's destination (directly an archive, or a Logs destination forwarding to one). */
/** The archive, a reason it is not one, or undefined when a value it needs is unknown (already reported). */
function resolveArchive(filter: PolicyResource, stack: StackIndex, ctx: CheckContext): ArchiveTarget | string | undefined {
  const direct = stack.dependenciesOf(filter, "destinationArn");
  const archive = direct.find((d) => ARCHIVE_TYPES.includes(d.type));
  if (archive) return archiveOf(archive, ctx);
  const destination = direct.find((d) => d.type === T.logDestination);
  if (destination) {
    const target = stack.dependenciesOf(destination, "targetArn").find((d) => ARCHIVE_TYPES.includes(d.type));
    if (target) return archiveOf(target, ctx);
    if (!has(destination.props, "targetArn")) return `the Logs destination ${destination.name} has no archive target`;
    const arn = ctx.inspect(destination, () => str(destination.props.targetArn));
    return arn === undefined ? undefined : { id: arn, region: regionOfArn(arn), jurisdiction: undefined };
  }
  if (direct.length > 0) return `its destination ${direct.map((d) => describe(d)).join(", ")} is not a log archive (Firehose, Kinesis or a Logs destination)`;
  if (!has(filter.props, "destinationArn")) return "it has no destinationArn";
  const arn = ctx.inspect(filter, () => str(filter.props.destinationArn));
  if (arn === undefined) return undefined;
  if (!/^arn:aws[a-z-]*:(logs|firehose|kinesis):/.test(arn)) return `its destination ${arn} is not a log archive`;
  return { id: arn, region: regionOfArn(arn), jurisdiction: undefined };
}

export const centralLogShipping = stackPolicy(centralLogShippingSpec, (stack, ctx) => {
  const logGroups = stack.ofType(T.logGroup);
  const filters = stack.ofType(T.subscriptionFilter);
  /** Archive per non-residency region, to check they all share the central one. */
  const centralArchives = new Map<string, { region: string; fn: PolicyResource }[]>();

  for (const fn of stack.ofType(T.lambda)) {
    const region = regionOf(fn) ?? "(no region)";
    const name = ctx.inspect(fn, () => str(fn.props.name));
    if (name === undefined) {
      ctx.report(fn, `${describe(fn)} has no explicit name, so its log group /aws/lambda/<name> cannot be checked`);
      continue;
    }
    const tags = ctx.inspect(fn, () => ({ residency: str(tagsOf(fn)["pipeline:residency"]), jurisdiction: str(tagsOf(fn)["pipeline:jurisdiction"]) }));
    if (!tags) continue;
    const configured = ctx.inspect(fn, () => str(obj(fn.props.loggingConfig).logGroup));
    const groupName = configured ?? `/aws/lambda/${name}`;
    const fromDeps = stack.dependenciesOf(fn, "loggingConfig").find((d) => d.type === T.logGroup);
    const group = fromDeps ?? logGroups.find((g) => ctx.inspect(g, () => str(g.props.name)) === groupName);
    if (!group) {
      ctx.report(fn, `${region}: function ${name} has no log group ${groupName} in the stack; Lambda would create one that never expires and ships nowhere`);
      continue;
    }
    const retention = ctx.inspect(group, () => ({ set: has(group.props, "retentionInDays"), days: num(group.props.retentionInDays) }));
    if (retention && (retention.days === undefined || retention.days <= 0)) {
      ctx.report(group, `${region}: log group ${groupName} of ${name} keeps logs forever (retentionInDays ${retention.set ? "is 0" : "is not set"}); set a finite retention`);
    }
    const shipping = filters.filter(
      (f) => stack.refersTo(f, "logGroup", group, () => ctx.inspect(f, () => str(f.props.logGroup)) === groupName),
    );
    if (shipping.length === 0) {
      ctx.report(group, `${region}: log group ${groupName} of ${name} has no subscription filter, so its logs never reach the central archive`);
      continue;
    }
    const targets = shipping.map((f) => ({ filter: f, target: resolveArchive(f, stack, ctx) }));
    if (targets.some((t) => t.target === undefined)) continue;
    const good = targets.flatMap((t) => (typeof t.target === "object" ? [t.target] : []));
    if (good.length === 0) {
      for (const t of targets) ctx.report(t.filter, `${region}: subscription filter ${t.filter.name} of ${groupName} does not ship to an archive: ${String(t.target)}`);
      continue;
    }
    const residency = tags.residency;
    const jurisdiction = tags.jurisdiction ?? geographyOf(region);
    const archive = good[0];
    if (residency !== undefined) {
      const archiveJurisdiction = archive.jurisdiction ?? (archive.region ? geographyOf(archive.region) : undefined);
      if (archiveJurisdiction !== jurisdiction) {
        ctx.report(
          shipping[0],
          `${region}: ${name} is in a residency region ("${residency}", jurisdiction ${jurisdiction}) but its logs ship to an archive in ${archive.region ?? "an unknown region"} (jurisdiction ${archiveJurisdiction ?? "unknown"}); ship to the archive of its own jurisdiction`,
        );
      }
    } else {
      const list = centralArchives.get(archive.id) ?? [];
      list.push({ region, fn });
      centralArchives.set(archive.id, list);
    }
  }

  // Regions without residency rules all ship to one central archive; a second one is a snowflake.
  if (centralArchives.size > 1) {
    const ranked = [...centralArchives.entries()].sort((a, b) => b[1].length - a[1].length);
    for (const [id, users] of ranked.slice(1)) {
      for (const u of users) {
        ctx.report(u.fn, `${u.region}: ${u.fn.name} ships its logs to ${id}, not to the central archive ${ranked[0][0]} the other regions use`);
      }
    }
  }
});
