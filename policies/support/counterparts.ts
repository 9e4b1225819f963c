// Where a part missing from one region belongs there: the nearest resource,
// in a region that has the part, that the part is tied to by references, and
// that the odd region has a counterpart of. A DLQ missing in eu-west-1 belongs
// to eu-west-1's counterpart of the queue whose redrivePolicy names the DLQ
// elsewhere; a missing alarm to the counterpart of what the alarm watches.
// That counterpart carries the finding, so a reader knows where to add the
// part and a waiver can name it. References are property dependencies (in
// both directions), an alarm's dimensions naming a resource, and, dearest,
// plain dependsOn; notification targets (alarm actions) say little about
// what a part belongs to, so a walk through them costs more.
import type { PolicyResource } from "@pulumi/policy";
import type { WatchedMetric } from "./alarm-index";
import type { Member } from "./matching";
import { str } from "./props";
import { readIfKnown } from "./runtime";
import { T, type StackIndex } from "./resources";

/** `holder`'s property `key` refers to `target`. */
interface Reference {
  holder: PolicyResource;
  key: string;
  target: PolicyResource;
}

const NOTIFY_KEYS = new Set(["alarmActions", "okActions", "insufficientDataActions"]);

/** What a CloudWatch dimension names (a role may share its function's name; the dimension says which is meant). */
const DIMENSION_TYPES: Record<string, string[]> = {
  FunctionName: [T.lambda],
  QueueName: [T.queue],
  DBInstanceIdentifier: [T.dbInstance],
  DBClusterIdentifier: [T.dbCluster],
  BucketName: [T.bucket, T.bucketV2],
  TopicName: [T.topic],
  DeliveryStreamName: [T.firehose],
  StreamName: [T.kinesisStream],
  LogGroupName: [T.logGroup],
};
const DEPENDS_ON = "dependsOn";

function cost(key: string): number {
  if (key === DEPENDS_ON) return 6;
  return NOTIFY_KEYS.has(key) ? 4 : 1;
}

function known<R>(read: () => R): R | undefined {
  const r = readIfKnown(read);
  return r.known ? r.value : undefined;
}

/** The name AWS knows a resource by, when a plain value may refer to it. */
function identity(r: PolicyResource): string | undefined {
  return known(() => str(r.props.name) ?? str(r.props.identifier) ?? str(r.props.bucket));
}

function referencesOf(stack: StackIndex, alarms: WatchedMetric[]): Reference[] {
  const out: Reference[] = [];
  for (const r of stack.resources) {
    const byProperty = new Set<string>();
    for (const [key, deps] of Object.entries(r.propertyDependencies)) {
      for (const target of deps) {
        byProperty.add(target.urn);
        out.push({ holder: r, key, target });
      }
    }
    for (const target of r.dependencies) if (!byProperty.has(target.urn)) out.push({ holder: r, key: DEPENDS_ON, target });
  }
  // An alarm whose dimension names a resource by value watches it, as required-alarms matches it.
  const byIdentity = new Map<string, PolicyResource[]>();
  for (const r of stack.resources) {
    const id = identity(r);
    if (id !== undefined) byIdentity.set(id, [...(byIdentity.get(id) ?? []), r]);
  }
  for (const m of alarms) {
    for (const [dimension, value] of Object.entries(m.dimensions)) {
      const types = DIMENSION_TYPES[dimension];
      for (const target of byIdentity.get(value ?? "") ?? []) {
        if (types && !types.includes(target.type)) continue;
        if (target.urn !== m.alarm.urn && stack.regionOf(target) === m.region) out.push({ holder: m.alarm, key: "dimensions", target });
      }
    }
  }
  return out;
}

interface Step {
  to: PolicyResource;
  ref: Reference;
}

export interface Counterpart {
  /** The odd region's resource that carries the finding. */
  subject: PolicyResource;
  /** The part's resource in the region it was matched from. */
  missing: PolicyResource;
  /** The resource there whose counterpart `subject` is. */
  from: PolicyResource;
  fromRegion: string;
  /** How `from` reaches `missing` there: `q.redrivePolicy → dlq ← alarm.dimensions`. */
  chain: string;
}

/** Resolves, for a part missing in a region, the odd region's resource it belongs to. */
export class Counterparts {
  private readonly adjacency = new Map<string, Step[]>();
  private readonly memberOf = new Map<string, Member>();
  private readonly byKey = new Map<string, Map<string, Member[]>>();

  constructor(
    private readonly stack: StackIndex,
    members: Member[],
    alarms: WatchedMetric[],
  ) {
    for (const m of members) {
      this.memberOf.set(m.resource.urn, m);
      const regions = this.byKey.get(m.key) ?? new Map<string, Member[]>();
      regions.set(m.region, [...(regions.get(m.region) ?? []), m]);
      this.byKey.set(m.key, regions);
    }
    const link = (from: PolicyResource, step: Step) => this.adjacency.set(from.urn, [...(this.adjacency.get(from.urn) ?? []), step]);
    for (const ref of referencesOf(stack, alarms)) {
      link(ref.holder, { to: ref.target, ref });
      link(ref.target, { to: ref.holder, ref });
    }
  }

  /** The nearest resource (by the cost of the references walked) tied to `missing` in its region that `oddRegion` has a counterpart of. */
  find(missing: PolicyResource, oddRegion: string): Counterpart | undefined {
    const region = this.stack.regionOf(missing);
    if (region === undefined) return undefined;
    const best = new Map<string, { distance: number; path: Step[] }>([[missing.urn, { distance: 0, path: [] }]]);
    const done = new Set<string>();
    for (;;) {
      const next = [...best.entries()].filter(([urn]) => !done.has(urn)).sort((a, b) => a[1].distance - b[1].distance || a[0].localeCompare(b[0]))[0];
      if (!next) return undefined;
      const [urn, { distance, path }] = next;
      done.add(urn);
      const here = path.length > 0 ? path[path.length - 1].to : missing;
      if (here !== missing) {
        const key = this.memberOf.get(urn)?.key;
        const there = key !== undefined ? this.byKey.get(key)?.get(oddRegion)?.[0] : undefined;
        if (there) return { subject: there.resource, missing, from: here, fromRegion: region, chain: chainOf(missing, path) };
      }
      for (const step of this.adjacency.get(urn) ?? []) {
        if (done.has(step.to.urn) || this.stack.regionOf(step.to) !== region) continue;
        const d = distance + cost(step.ref.key);
        if (d < (best.get(step.to.urn)?.distance ?? Infinity)) best.set(step.to.urn, { distance: d, path: [...path, step] });
      }
    }
  }
}

/** The walk from `missing` told from its far end back to `missing`, as references read: `a.key → b`, `b ← c.key`. */
function chainOf(missing: PolicyResource, path: Step[]): string {
  const nodes = [missing, ...path.map((s) => s.to)].reverse();
  const refs = path.map((s) => s.ref).reverse();
  let text = nodes[0].name;
  let bare = true;
  refs.forEach((ref, i) => {
    const [a, b] = [nodes[i], nodes[i + 1]];
    if (ref.holder.urn === a.urn && ref.target.urn === b.urn) {
      text += bare ? `.${ref.key} → ${b.name}` : `, ${a.name}.${ref.key} → ${b.name}`;
      bare = true;
    } else {
      text += bare ? ` ← ${b.name}.${ref.key}` : `, ${a.name} ← ${b.name}.${ref.key}`;
      bare = false;
    }
  });
  return text;
}
