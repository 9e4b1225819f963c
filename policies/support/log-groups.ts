// Which CloudWatch log groups the resources of a stack write to, and where
// each group's subscription filters send it. Shared by central-log-shipping
// (which reports) and region-parity (which compares). Matches by resource
// type, property references and the names AWS derives (`/aws/lambda/<name>`),
// never by the names one program gives its resources.
import type { PolicyResource } from "@pulumi/policy";
import { has, json, list, obj, str } from "./props";
import { regionOfArn } from "./regions";
import { T, describe, type StackIndex } from "./resources";

/** Reads a value, or returns undefined when it is unknown (and, for a reporting caller, records that). */
export interface Inspector {
  inspect<R>(subject: { urn: string; name: string; type: string }, read: () => R): R | undefined;
}

/** A log group some resource writes to: by name, and the stack's LogGroup resource when it declares one. */
export interface WrittenGroup {
  writer: PolicyResource;
  /** "function my-fn", "container web of task my-task", ... */
  what: string;
  region: string | undefined;
  name: string | undefined;
  resource: PolicyResource | undefined;
}

/** A writer that should write somewhere and does not, or whose target cannot be told. */
export interface WriterProblem {
  writer: PolicyResource;
  message: string;
}

export const ARCHIVE_TYPES: readonly string[] = [T.firehose, T.kinesisStream, T.logDestination];

/** `arn:aws:logs:<region>:<account>:log-group:<name>[:*]` -> name. */
export function logGroupNameOfArn(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(arn);
  return m ? m[1] : undefined;
}

function groupByDependency(stack: StackIndex, r: PolicyResource, key: string): PolicyResource | undefined {
  return stack.dependenciesOf(r, key).find((d) => d.type === T.logGroup);
}

function namedGroup(stack: StackIndex, ins: Inspector, region: string | undefined, name: string): PolicyResource | undefined {
  return stack.ofType(T.logGroup).find((g) => stack.regionOf(g) === region && ins.inspect(g, () => str(g.props.name)) === name);
}

/** A group given by name or ARN (known or not) and perhaps by dependency. */
function written(
  stack: StackIndex,
  ins: Inspector,
  writer: PolicyResource,
  what: string,
  region: string | undefined,
  name: string | undefined,
  byDependency: PolicyResource | undefined,
): WrittenGroup {
  const resource = byDependency ?? (name === undefined ? undefined : namedGroup(stack, ins, region, name));
  const resolved = name ?? (resource ? ins.inspect(resource, () => str(resource.props.name)) : undefined);
  return { writer, what, region: resource ? stack.regionOf(resource) : region, name: resolved, resource };
}

interface Container {
  name?: unknown;
  logConfiguration?: { logDriver?: unknown; options?: Record<string, unknown> };
}

/** Every log group the stack's resources write to, and the writers that send their logs nowhere. */
export function writtenGroups(stack: StackIndex, ins: Inspector): { groups: WrittenGroup[]; problems: WriterProblem[] } {
  const groups: WrittenGroup[] = [];
  const problems: WriterProblem[] = [];

  for (const fn of stack.ofType(T.lambda)) {
    const region = stack.regionOf(fn);
    const dep = groupByDependency(stack, fn, "loggingConfig");
    const configured = ins.inspect(fn, () => ({ set: has(obj(fn.props.loggingConfig), "logGroup"), name: str(obj(fn.props.loggingConfig).logGroup) }));
    if (configured === undefined) continue;
    const fnName = configured.set || dep ? undefined : ins.inspect(fn, () => str(fn.props.name));
    if (!configured.set && !dep && fnName === undefined) {
      if (ins.inspect(fn, () => has(fn.props, "name")) === false) {
        problems.push({
          writer: fn,
          message: `${describe(fn)} has no name, so the log group Lambda writes to (/aws/lambda/<name>) cannot be checked; give the function a name or a loggingConfig.logGroup`,
        });
      }
      continue;
    }
    const label = `function ${fnName ?? fn.name}`;
    groups.push(written(stack, ins, fn, label, region, configured.name ?? (fnName !== undefined ? `/aws/lambda/${fnName}` : undefined), dep));
  }

  for (const task of stack.ofType(T.ecsTaskDefinition)) {
    const region = stack.regionOf(task);
    const containers = ins.inspect(task, () => list(json(task.props.containerDefinitions)) as Container[]);
    if (containers === undefined) continue;
    for (const c of containers) {
      const cname = typeof c.name === "string" ? c.name : "(unnamed)";
      const logs = c.logConfiguration;
      if (!logs || logs.logDriver === undefined) {
        problems.push({
          writer: task,
          message: `container ${cname} of ${describe(task)} has no logConfiguration, so its output is kept nowhere; send it to CloudWatch Logs with the awslogs driver`,
        });
        continue;
      }
      if (logs.logDriver !== "awslogs") continue;
      const options = logs.options ?? {};
      const group = typeof options["awslogs-group"] === "string" ? options["awslogs-group"] : undefined;
      const groupRegion = typeof options["awslogs-region"] === "string" ? options["awslogs-region"] : region;
      if (!group) {
        problems.push({ writer: task, message: `container ${cname} of ${describe(task)} uses awslogs without an awslogs-group option` });
        continue;
      }
      groups.push(
        written(stack, ins, task, `container ${cname} of task ${task.name}`, groupRegion, group, groupByDependency(stack, task, "containerDefinitions")),
      );
    }
  }

  for (const stage of stack.ofType(T.restStage, T.httpStage)) {
    const region = stack.regionOf(stage);
    const settings = ins.inspect(stage, () => ({ set: has(stage.props, "accessLogSettings"), arn: str(obj(stage.props.accessLogSettings).destinationArn) }));
    if (settings === undefined) continue;
    const dep = groupByDependency(stack, stage, "accessLogSettings");
    if (!settings.set) {
      problems.push({
        writer: stage,
        message: `API stage ${describe(stage)} has no accessLogSettings, so its requests are logged nowhere; send access logs to a CloudWatch log group`,
      });
      continue;
    }
    const name = settings.arn ? logGroupNameOfArn(settings.arn) : undefined;
    groups.push(written(stack, ins, stage, `access logs of API stage ${stage.name}`, settings.arn ? (regionOfArn(settings.arn) ?? region) : region, name, dep));
  }

  const rdsExports: [string, string, string][] = [
    [T.dbInstance, "identifier", "instance"],
    [T.dbCluster, "clusterIdentifier", "cluster"],
  ];
  for (const [type, idKey, kind] of rdsExports) {
    for (const db of stack.ofType(type)) {
      const exports = ins.inspect(db, () => list(db.props.enabledCloudwatchLogsExports).map(String));
      if (!exports || exports.length === 0) continue;
      const id = ins.inspect(db, () => str(db.props[idKey]));
      if (id === undefined) continue;
      for (const log of exports)
        groups.push(written(stack, ins, db, `${log} log of database ${id}`, stack.regionOf(db), `/aws/rds/${kind}/${id}/${log}`, undefined));
    }
  }

  for (const machine of stack.ofType(T.stateMachine)) {
    const logging = ins.inspect(machine, () => ({
      level: str(obj(machine.props.loggingConfiguration).level) ?? "OFF",
      arn: str(obj(machine.props.loggingConfiguration).logDestination),
    }));
    if (!logging || logging.level === "OFF") continue;
    const dep = groupByDependency(stack, machine, "loggingConfiguration");
    groups.push(
      written(stack, ins, machine, `state machine ${machine.name}`, stack.regionOf(machine), logging.arn ? logGroupNameOfArn(logging.arn) : undefined, dep),
    );
  }

  for (const flow of stack.ofType(T.flowLog)) {
    const target = ins.inspect(flow, () => ({
      type: str(flow.props.logDestinationType) ?? "cloud-watch-logs",
      arn: str(flow.props.logDestination),
      name: str(flow.props.logGroupName),
    }));
    if (!target || target.type !== "cloud-watch-logs") continue;
    const dep = groupByDependency(stack, flow, "logDestination") ?? groupByDependency(stack, flow, "logGroupName");
    groups.push(
      written(
        stack,
        ins,
        flow,
        `VPC flow log ${flow.name}`,
        stack.regionOf(flow),
        target.name ?? (target.arn ? logGroupNameOfArn(target.arn) : undefined),
        dep,
      ),
    );
  }

  for (const cluster of stack.ofType(T.eksCluster)) {
    const types = ins.inspect(cluster, () => list(cluster.props.enabledClusterLogTypes));
    if (!types || types.length === 0) continue;
    const name = ins.inspect(cluster, () => str(cluster.props.name));
    if (name !== undefined)
      groups.push(written(stack, ins, cluster, `control plane logs of EKS cluster ${name}`, stack.regionOf(cluster), `/aws/eks/${name}/cluster`, undefined));
  }

  // Any other log group the stack declares is written by something: it ships too.
  const covered = new Set(groups.flatMap((g) => (g.resource ? [g.resource.urn] : [])));
  for (const g of stack.ofType(T.logGroup)) {
    if (!covered.has(g.urn))
      groups.push({ writer: g, what: `log group ${g.name}`, region: stack.regionOf(g), name: ins.inspect(g, () => str(g.props.name)), resource: g });
  }
  return { groups, problems };
}

/** The subscription filters of a group: same region, and naming it by dependency or by name. */
export function filtersOf(stack: StackIndex, ins: Inspector, group: WrittenGroup): PolicyResource[] {
  return stack.ofType(T.subscriptionFilter).filter((f) => {
    if (stack.regionOf(f) !== group.region) return false;
    const deps = stack.dependenciesOf(f, "logGroup");
    if (deps.length > 0) return group.resource !== undefined && deps.some((d) => d.urn === group.resource?.urn);
    return group.name !== undefined && ins.inspect(f, () => str(f.props.logGroup)) === group.name;
  });
}

/** One hop of where a filter's data goes: the destination's ARN (known or built from its name) and region. */
export interface Hop {
  arn: string;
  region: string | undefined;
  resource?: PolicyResource;
  /** A Logs destination, Firehose or Kinesis stream: something that archives or forwards logs. */
  archive: boolean;
}

const ARN_SERVICE: Record<string, { service: string; resource: (name: string) => string }> = {
  [T.firehose]: { service: "firehose", resource: (n) => `deliverystream/${n}` },
  [T.kinesisStream]: { service: "kinesis", resource: (n) => `stream/${n}` },
  [T.logDestination]: { service: "logs", resource: (n) => `destination:${n}` },
  [T.lambda]: { service: "lambda", resource: (n) => `function:${n}` },
};

/** The ARN of a stack resource as approvedDestinations patterns see it; the account is `*` (unknown before it exists). */
function hopOf(stack: StackIndex, ins: Inspector, r: PolicyResource): Hop | undefined {
  const shape = ARN_SERVICE[r.type];
  if (!shape) return { arn: describe(r), region: stack.regionOf(r), resource: r, archive: false };
  const name = ins.inspect(r, () => str(r.props.name));
  if (name === undefined) return undefined;
  const region = stack.regionOf(r);
  return { arn: `arn:aws:${shape.service}:${region ?? "*"}:*:${shape.resource(name)}`, region, resource: r, archive: ARCHIVE_TYPES.includes(r.type) };
}

function hopOfArn(arn: string): Hop {
  return { arn, region: regionOfArn(arn), archive: /^arn:aws[a-z-]*:(logs:[^:]*:[^:]*:destination:|firehose:|kinesis:)/.test(arn) };
}

/**
 * Where a filter sends its data, hop by hop (a Logs destination, then what it
 * forwards to), or a reason it cannot be followed; undefined when a value it
 * needs is unknown (the inspector has recorded that).
 */
export function followFilter(stack: StackIndex, ins: Inspector, filter: PolicyResource): Hop[] | string | undefined {
  const hops: Hop[] = [];
  const follow = (r: PolicyResource, key: string): boolean | undefined => {
    const dep = stack.dependenciesOf(r, key).find((d) => ARN_SERVICE[d.type] !== undefined) ?? stack.dependenciesOf(r, key)[0];
    if (dep) {
      const hop = hopOf(stack, ins, dep);
      if (!hop) return undefined;
      hops.push(hop);
      if (dep.type === T.logDestination) return has(dep.props, "targetArn") ? follow(dep, "targetArn") : true;
      return true;
    }
    if (!has(r.props, key)) return false;
    const arn = ins.inspect(r, () => str(r.props[key]));
    if (arn === undefined) return undefined;
    hops.push(hopOfArn(arn));
    return true;
  };
  const ok = follow(filter, "destinationArn");
  if (ok === undefined) return undefined;
  if (!ok) return "it has no destinationArn";
  return hops;
}
