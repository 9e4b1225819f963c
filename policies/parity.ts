// region-parity: no snowflakes. In any program, what one region deploys,
// every region that deploys the same family of resources deploys too: the
// same parts (matched by type and logical name without the region's token,
// under the same components), as many of each, with the same settings that
// matter (runtime, memory, timeout, retention, encryption, alarms, log
// shipping, dead-letter queues). The odd region is the minority; on a tie one
// finding names every region and resource, and a waiver of any covers it. No
// region is exempt, residency regions included.
import type { PolicyResource } from "@pulumi/policy";
import { watchedMetrics, type WatchedMetric } from "./support/alarm-index";
import { Counterparts, type Counterpart } from "./support/counterparts";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { filtersOf, writtenGroups, type Inspector, type WrittenGroup } from "./support/log-groups";
import { byFamily, oddOnesOut, regionalMembers, withoutRegion, type Member } from "./support/matching";
import { has, list, num, obj, str } from "./support/props";
import { BUCKET_ENCRYPTION_TYPES, BUCKET_LOGGING_TYPES, T, describe, type StackIndex } from "./support/resources";
import { readIfKnown } from "./support/runtime";

export interface RegionParityConfig {
  /** Compared settings to leave out, by resource type: differences the program makes on purpose. */
  ignoreProperties?: Record<string, string[]>;
}

type Facts = Record<string, unknown>;

interface Context {
  stack: StackIndex;
  alarms: WatchedMetric[];
  groups: WrittenGroup[];
  silent: Inspector;
  counterparts: Counterparts;
}

/** Reads without reporting: parity compares what is known; the policy that needs a value reports it unknown. */
function known<R>(read: () => R): R | undefined {
  const r = readIfKnown(read);
  return r.known ? r.value : undefined;
}

const SILENT: Inspector = { inspect: (_subject, read) => known(read) };

/** The metrics of the alarms watching a resource, with its own name and region taken out so regions compare. */
function alarmsOn(c: Context, r: PolicyResource, identity: string | undefined): string[] {
  const region = c.stack.regionOf(r);
  const set = new Set<string>();
  for (const m of c.alarms) {
    if (m.region !== region || m.metricName === undefined) continue;
    const byDimension = identity !== undefined && Object.values(m.dimensions).includes(identity);
    const byNamespace = identity !== undefined && (m.namespace ?? "").includes(identity);
    const byDependency = ["dimensions", "metricQueries"].some((k) => c.stack.dependenciesOf(m.alarm, k).some((d) => d.urn === r.urn));
    if (!byDimension && !byNamespace && !byDependency) continue;
    const ns = withoutRegion(identity !== undefined ? (m.namespace ?? "").split(identity).join("{name}") : (m.namespace ?? ""), region);
    set.add(`${ns} ${m.metricName}`);
  }
  return [...set].sort();
}

function ships(c: Context, r: PolicyResource): boolean | undefined {
  const mine = c.groups.filter((g) => g.writer.urn === r.urn || g.resource?.urn === r.urn);
  if (mine.length === 0) return undefined;
  return mine.every((g) => filtersOf(c.stack, c.silent, g).length > 0);
}

function lambdaDeadLetter(c: Context, fn: PolicyResource): boolean {
  if (known(() => has(obj(fn.props.deadLetterConfig), "targetArn")) === true) return true;
  return c.stack
    .ofType(T.eventInvokeConfig)
    .some(
      (e) =>
        c.stack.dependenciesOf(e, "functionName").some((d) => d.urn === fn.urn) &&
        known(() => has(obj(obj(e.props.destinationConfig).onFailure), "destination")) === true,
    );
}

function bucketHas(c: Context, b: PolicyResource, types: readonly string[]): boolean {
  return c.stack.ofType(...types).some((x) => c.stack.dependenciesOf(x, "bucket").some((d) => d.urn === b.urn));
}

/** The compared settings of each kind of resource; a setting whose value is unknown is left out. */
const FACTS: Record<string, (c: Context, r: PolicyResource) => Facts> = {
  [T.lambda]: (c, r) => {
    const name = known(() => str(r.props.name));
    return {
      runtime: known(() => str(r.props.runtime)),
      memorySize: known(() => num(r.props.memorySize) ?? 128),
      timeout: known(() => num(r.props.timeout) ?? 3),
      architectures: known(() => (list(r.props.architectures).length > 0 ? list(r.props.architectures).map(String) : ["x86_64"])),
      packageType: known(() => str(r.props.packageType) ?? "Zip"),
      handler: known(() => str(r.props.handler)),
      alarms: alarmsOn(c, r, name),
      logShipping: ships(c, r),
      deadLetter: lambdaDeadLetter(c, r),
    };
  },
  [T.logGroup]: (c, r) => ({
    retentionInDays: known(() => num(r.props.retentionInDays) ?? 0),
    encryption: known(() => has(r.props, "kmsKeyId")),
    logShipping: ships(c, r),
  }),
  [T.queue]: (c, r) => ({
    messageRetentionSeconds: known(() => num(r.props.messageRetentionSeconds) ?? 345600),
    encryption: known(() => r.props.sqsManagedSseEnabled === true || has(r.props, "kmsMasterKeyId")),
    deadLetter: known(() => has(r.props, "redrivePolicy")),
    alarms: alarmsOn(
      c,
      r,
      known(() => str(r.props.name)),
    ),
  }),
  [T.bucket]: (c, r) => ({
    encryption: bucketHas(c, r, BUCKET_ENCRYPTION_TYPES) || known(() => list(obj(r.props.serverSideEncryptionConfiguration).rules).length > 0) === true,
    accessLogging: bucketHas(c, r, BUCKET_LOGGING_TYPES) || known(() => list(r.props.loggings).length > 0 || has(r.props, "logging")) === true,
  }),
  [T.dbInstance]: (c, r) => ({
    storageEncrypted: known(() => r.props.storageEncrypted === true),
    backupRetentionPeriod: known(() => num(r.props.backupRetentionPeriod) ?? 1),
    logExports: known(() => list(r.props.enabledCloudwatchLogsExports).map(String).sort()),
    alarms: alarmsOn(
      c,
      r,
      known(() => str(r.props.identifier)),
    ),
  }),
  [T.firehose]: (_c, r) => ({ encryption: known(() => obj(r.props.serverSideEncryption).enabled === true) }),
  [T.subscriptionFilter]: (_c, r) => ({ filterPattern: known(() => str(r.props.filterPattern) ?? "") }),
};
FACTS[T.bucketV2] = FACTS[T.bucket];

export const COMPARED_PROPERTIES: Record<string, string[]> = {
  [T.lambda]: ["runtime", "memorySize", "timeout", "architectures", "packageType", "handler", "alarms", "logShipping", "deadLetter"],
  [T.logGroup]: ["retentionInDays", "encryption", "logShipping"],
  [T.queue]: ["messageRetentionSeconds", "encryption", "deadLetter", "alarms"],
  [T.bucket]: ["encryption", "accessLogging"],
  [T.bucketV2]: ["encryption", "accessLogging"],
  [T.dbInstance]: ["storageEncrypted", "backupRetentionPeriod", "logExports", "alarms"],
  [T.firehose]: ["encryption"],
  [T.subscriptionFilter]: ["filterPattern"],
};

/**
 * Settings that follow from other parts of the family (alarm resources, filters,
 * queues, bucket configurations). When a part is missing somewhere, the count
 * finding names it; comparing its consequences too would report one gap three times.
 */
const DERIVED = new Set(["alarms", "logShipping", "deadLetter", "accessLogging"]);
const DERIVED_BY_TYPE: Record<string, Set<string>> = { [T.bucket]: new Set(["encryption"]), [T.bucketV2]: new Set(["encryption"]) };

export const regionParitySpec: PolicySpec = {
  name: "region-parity",
  description:
    "Every region that deploys a part of the program deploys all of it, as many of each resource, with the same runtime, memory, timeout, retention, encryption, alarms, log shipping and dead-letter queues; the region that differs from the majority is named, both on a tie.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Deploy every region from the same code path (one component per region, no per-region branches); a difference a region needs for a reason becomes a setting every region has, or a waiver with a reason and an expiry.",
  config: {
    ignoreProperties: {
      type: "object",
      description: `Compared settings to leave out, by resource type (${Object.entries(COMPARED_PROPERTIES)
        .map(([t, ps]) => `${t}: ${ps.join(", ")}`)
        .join("; ")}).`,
      additionalProperties: { type: "array", items: { type: "string" } },
    },
  },
};

function show(v: unknown): string {
  return v === undefined ? "unset" : JSON.stringify(v);
}

/** The component a region's part of a family lives in, or its first member, to carry a finding about that region. */
function anchorIn(members: Member[], region: string): PolicyResource | undefined {
  const inRegion = members.filter((m) => m.region === region).sort((a, b) => a.resource.name.localeCompare(b.resource.name));
  return inRegion[0]?.familyRoot ?? inRegion[0]?.resource;
}

function partName(m: Member): string {
  return m.part;
}

/** Where a part missing from `region` belongs there, matched from the first region that has it (and has such a counterpart). */
function counterpartIn(c: Context, byRegion: Map<string, Member[]>, region: string): Counterpart | undefined {
  for (const [, members] of [...byRegion.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const found = c.counterparts.find(members[0].resource, region);
    if (found) return found;
  }
  return undefined;
}

function lacks(a: Counterpart): string {
  return `${describe(a.subject)} lacks its counterpart of ${describe(a.missing)}, which ${a.from.name} has in ${a.fromRegion} (${a.chain})`;
}

function compareCounts(c: Context, ctx: CheckContext, familyMembers: Member[], familyRegions: string[], byRegion: Map<string, Member[]>): boolean {
  const counts = new Map(familyRegions.map((r) => [r, byRegion.get(r)?.length ?? 0]));
  const { majority, groups } = oddOnesOut(counts);
  if (groups.length < 2) return true;
  const sample = [...byRegion.values()][0][0];
  const part = partName(sample);
  const where = (g: { value: number; regions: string[] }) => `${g.value} in ${g.regions.join(", ")}`;
  // A region lacking the part: the finding goes on the resource there that the part belongs to, else the region's component.
  const missingIn = (region: string) => counterpartIn(c, byRegion, region);
  const subjectIn = (region: string, count: number, counterpart: Counterpart | undefined) =>
    count > 0 ? (byRegion.get(region) as Member[])[0].resource : (counterpart?.subject ?? anchorIn(familyMembers, region));
  if (majority) {
    for (const g of groups.filter((x) => x.regions !== majority)) {
      for (const region of g.regions) {
        const counterpart = g.value === 0 ? missingIn(region) : undefined;
        ctx.report(
          subjectIn(region, g.value, counterpart),
          `${region}: has ${g.value === 0 ? "no" : g.value} ${part}, but ${groups
            .filter((o) => o !== g)
            .map(where)
            .join("; ")}${counterpart ? `: ${lacks(counterpart)}` : ""}`,
        );
      }
    }
    return false;
  }
  const regions = groups.flatMap((g) => g.regions);
  // On a tie the region lacking the part (or with fewest) carries the finding; the others' resources are related.
  const ordered = [...regions].sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0) || a.localeCompare(b));
  const counterpart = (counts.get(ordered[0]) ?? 0) === 0 ? missingIn(ordered[0]) : undefined;
  const subject = subjectIn(ordered[0], counts.get(ordered[0]) ?? 0, counterpart);
  const related = ordered.slice(1).flatMap((r) => (byRegion.get(r) ?? []).map((m) => m.resource));
  ctx.report(
    subject,
    `${ordered.join(" / ")}: ${counterpart ? `${lacks(counterpart)}; ` : ""}${part}: ${groups.map(where).join("; ")}; the regions are tied, so neither is the odd one`,
    related,
  );
  return false;
}

function compareSettings(c: Context, ctx: CheckContext, config: RegionParityConfig, byRegion: Map<string, Member[]>, partsDiffer: boolean): void {
  const sample = [...byRegion.values()][0][0].resource;
  const facts = FACTS[sample.type];
  if (!facts) return;
  const ignored = new Set(config.ignoreProperties?.[sample.type] ?? []);
  const perRegion = new Map([...byRegion.entries()].map(([region, ms]) => [region, { resource: ms[0].resource, facts: facts(c, ms[0].resource) }]));
  for (const key of COMPARED_PROPERTIES[sample.type] ?? []) {
    if (ignored.has(key)) continue;
    if (partsDiffer && (DERIVED.has(key) || DERIVED_BY_TYPE[sample.type]?.has(key))) continue;
    const values = new Map([...perRegion.entries()].filter(([, v]) => v.facts[key] !== undefined).map(([region, v]) => [region, v.facts[key]]));
    if (values.size < 2) continue;
    const { majority, groups } = oddOnesOut(values);
    if (groups.length < 2) continue;
    const where = (g: { value: unknown; regions: string[] }) => `${show(g.value)} in ${g.regions.join(", ")}`;
    if (majority) {
      for (const g of groups.filter((x) => x.regions !== majority)) {
        for (const region of g.regions) {
          const r = perRegion.get(region)?.resource as PolicyResource;
          ctx.report(
            r,
            `${region}: ${describe(r)} has ${key} ${show(g.value)} here, but ${groups
              .filter((o) => o !== g)
              .map(where)
              .join("; ")}`,
          );
        }
      }
      continue;
    }
    const regions = groups.flatMap((g) => g.regions);
    const resources = regions.map((region) => perRegion.get(region)?.resource as PolicyResource);
    ctx.report(
      resources[0],
      `${regions.join(" / ")}: ${resources.map((r, i) => `${describe(r)} has ${key} ${show(values.get(regions[i]))} in ${regions[i]}`).join("; ")}; the regions are tied, so neither is the odd one`,
      resources.slice(1),
    );
  }
}

export const regionParity = stackPolicy<RegionParityConfig>(regionParitySpec, (stack, ctx, config) => {
  for (const [type, keys] of Object.entries(config.ignoreProperties ?? {})) {
    const unknown = keys.filter((k) => !(COMPARED_PROPERTIES[type] ?? []).includes(k));
    if (unknown.length > 0)
      ctx.report(
        undefined,
        `region-parity.ignoreProperties.${type} names ${unknown.join(", ")}, which region-parity does not compare${COMPARED_PROPERTIES[type] ? ` for ${type} (it compares ${COMPARED_PROPERTIES[type].join(", ")})` : ` (it compares ${Object.keys(COMPARED_PROPERTIES).join(", ")})`}`,
      );
  }
  const alarms = watchedMetrics(stack);
  const members = regionalMembers(stack);
  const c: Context = { stack, alarms, groups: writtenGroups(stack, SILENT).groups, silent: SILENT, counterparts: new Counterparts(stack, members, alarms) };
  for (const keys of byFamily(members).values()) {
    const familyMembers = [...keys.values()].flatMap((regions) => [...regions.values()].flat());
    const familyRegions = [...new Set(familyMembers.map((m) => m.region))].sort();
    if (familyRegions.length < 2) continue;
    const parts = [...keys.values()].sort((a, b) => partName([...a.values()][0][0]).localeCompare(partName([...b.values()][0][0])));
    const sameCounts = parts.map((byRegion) => compareCounts(c, ctx, familyMembers, familyRegions, byRegion));
    const partsDiffer = sameCounts.some((same) => !same);
    parts.forEach((byRegion, i) => {
      if (sameCounts[i] && [...byRegion.values()].every((ms) => ms.length === 1)) compareSettings(c, ctx, config, byRegion, partsDiffer);
    });
  }
});
