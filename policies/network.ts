// function-database-network: a function that needs the database can reach it.
// Its security group allows egress to the database's on the database port, and
// the database's allows ingress from it (the story's "network issues between
// services", found here instead of in production).
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { has, list, num, obj, str } from "./support/props";
import { usesDatabase } from "./database";
import { T, type StackIndex } from "./support/resources";

const DEFAULT_PORTS: Record<string, number> = { postgres: 5432, mysql: 3306, mariadb: 3306 };

export const functionDatabaseNetworkSpec: PolicySpec = {
  name: "function-database-network",
  description:
    "Every function that uses the database runs in the VPC, its security group allows egress to the database's security group on the database port, and the database's security group allows ingress from it on that port.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Put the function in the VPC with the functions' security group; add a SecurityGroupEgressRule (function SG -> database SG) and a SecurityGroupIngressRule (database SG <- function SG) for the database port.",
};

interface Rule {
  owner: string;
  peers: string[];
  cidr: boolean;
  from: number;
  to: number;
  all: boolean;
}

function sgUrns(stack: StackIndex, r: PolicyResource, key: string): string[] {
  return stack
    .dependenciesOf(r, key)
    .filter((d) => d.type === T.securityGroup)
    .map((d) => d.urn);
}

/** Every ingress or egress rule of the stack, standalone or inline, by the security groups it joins. */
function rules(stack: StackIndex, direction: "ingress" | "egress", ctx: CheckContext): Rule[] {
  const out: Rule[] = [];
  const add = (owner: string, peers: string[], p: Record<string, unknown>) => {
    const protocol = String(p.ipProtocol ?? p.protocol ?? "tcp");
    out.push({
      owner,
      peers,
      cidr: has(p, "cidrIpv4") || list(p.cidrBlocks).length > 0 || has(p, "prefixListId"),
      from: num(p.fromPort) ?? 0,
      to: num(p.toPort) ?? 65535,
      all: protocol === "-1" || protocol === "all",
    });
  };
  const standalone = direction === "ingress" ? T.ingressRule : T.egressRule;
  for (const rule of stack.ofType(standalone)) {
    const owner = sgUrns(stack, rule, "securityGroupId")[0];
    if (owner) ctx.inspect(rule, () => add(owner, sgUrns(stack, rule, "referencedSecurityGroupId"), rule.props));
  }
  for (const rule of stack.ofType(T.legacySgRule)) {
    const owner = sgUrns(stack, rule, "securityGroupId")[0];
    if (owner && ctx.inspect(rule, () => rule.props.type) === direction) {
      ctx.inspect(rule, () => add(owner, sgUrns(stack, rule, "sourceSecurityGroupId"), rule.props));
    }
  }
  for (const sg of stack.ofType(T.securityGroup)) {
    ctx.inspect(sg, () => {
      for (const inline of list(sg.props[direction]).map(obj)) add(sg.urn, sgUrns(stack, sg, direction), inline);
    });
  }
  return out;
}

function allows(all: Rule[], owners: string[], peers: string[], port: number): boolean {
  return all.some((r) => owners.includes(r.owner) && (r.cidr || r.peers.some((p) => peers.includes(p))) && (r.all || (r.from <= port && port <= r.to)));
}

export const functionDatabaseNetwork = stackPolicy(functionDatabaseNetworkSpec, (stack, ctx) => {
  const databases = stack.ofType(T.dbInstance);
  if (databases.length === 0) return;
  const ingress = rules(stack, "ingress", ctx);
  const egress = rules(stack, "egress", ctx);
  const proxies = stack.ofType(T.dbProxy);
  for (const fn of stack.ofType(T.lambda)) {
    if (ctx.inspect(fn, () => usesDatabase(stack, fn)) !== true) continue;
    const region = stack.regionLabel(fn);
    const db = databases.find((d) => stack.regionOf(d) === stack.regionOf(fn));
    if (!db) continue;
    const engine = ctx.inspect(db, () => str(db.props.engine)) ?? "postgres";
    const port = ctx.inspect(db, () => num(db.props.port)) ?? DEFAULT_PORTS[engine] ?? 5432;
    const fnGroups = sgUrns(stack, fn, "vpcConfig");
    if (fnGroups.length === 0) {
      ctx.report(fn, `${region}: ${fn.name} uses the database but has no VPC security group, so it cannot reach the private database ${db.name}`);
      continue;
    }
    // Through the RDS Proxy when the function's environment was built from the proxy's endpoint.
    const proxy = proxies.find((p) => stack.regionOf(p) === region && stack.dependenciesOf(fn, "environment").some((d) => d.urn === p.urn));
    const target = proxy ?? db;
    const dbGroups = sgUrns(stack, target, "vpcSecurityGroupIds");
    if (dbGroups.length === 0) {
      ctx.report(target, `${region}: ${target.name} has no security group from the stack, so which functions may connect cannot be checked`);
      continue;
    }
    if (!allows(egress, fnGroups, dbGroups, port)) {
      ctx.report(fn, `${region}: ${fn.name}'s security group allows no egress to ${target.name}'s security group on port ${port}`);
    }
    if (!allows(ingress, dbGroups, fnGroups, port)) {
      ctx.report(target, `${region}: ${target.name}'s security group allows no ingress from ${fn.name}'s security group on port ${port}`);
    }
  }
});
