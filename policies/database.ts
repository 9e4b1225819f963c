// db-connection-budget: the functions of a region can never hold more than a
// share of the database's max_connections (80% unless configured), whatever
// the load. The story's exhausted connections came from concurrency nobody
// had bounded.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { envOf, has, list, num, obj, str } from "./support/props";
import { T, type StackIndex } from "./support/resources";

/** The organisation's default; a program that budgets a smaller share sends it as `maxShare`. */
export const DEFAULT_CONNECTION_SHARE = 0.8;

export interface ConnectionBudgetConfig {
  /** The share of max_connections a region's functions may hold together, in (0, 1]. */
  maxShare?: number;
}
/** Environment variables that, by common convention, mean a function talks to a database (PGHOST is libpq's). */
export const DATABASE_ENV = ["DATABASE_URL", "DB_HOST", "PGHOST"] as const;
const DATABASE_TYPES: readonly string[] = [T.dbInstance, T.dbCluster, T.dbProxy];
/** Connections one invocation holds unless the function says otherwise in DB_POOL_SIZE. */
const DEFAULT_POOL_SIZE = 1;

export const connectionBudgetSpec: PolicySpec = {
  name: "db-connection-budget",
  description: `In every region, the sum over database functions of maximum concurrency x pool size is at most a share (maxShare, default ${DEFAULT_CONNECTION_SHARE * 100}%) of the database's max_connections.`,
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Bound every database function's concurrency (reservedConcurrentExecutions, or the SQS event source's scalingConfig.maximumConcurrency) so the sum fits in the allowed share of max_connections, or raise max_connections in the parameter group.",
  config: {
    maxShare: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: 1,
      default: DEFAULT_CONNECTION_SHARE,
      description: "The share of max_connections a region's functions may hold together.",
    },
  },
};

/** A function uses a database when its environment is computed from one of the stack, or names one the conventional way. */
export function usesDatabase(stack: StackIndex, fn: PolicyResource): boolean {
  if (stack.dependenciesOf(fn, "environment").some((d) => DATABASE_TYPES.includes(d.type))) return true;
  const env = envOf(fn.props);
  return DATABASE_ENV.some((k) => has(env, k));
}

/** max_connections from the instance's parameter group, or why it cannot be known. */
function maxConnections(stack: StackIndex, db: PolicyResource, ctx: CheckContext): number | string | undefined {
  const group =
    stack.dependenciesOf(db, "parameterGroupName").find((d) => d.type === T.dbParameterGroup) ??
    stack.ofType(T.dbParameterGroup).find((g) => {
      const name = ctx.inspect(g, () => str(g.props.name));
      return name !== undefined && name === ctx.inspect(db, () => str(db.props.parameterGroupName));
    });
  if (!group) return `database ${db.name} has no parameter group in the stack, so max_connections is the engine default nobody chose`;
  return ctx.inspect(group, () => {
    const param = list(group.props.parameters)
      .map(obj)
      .find((p) => p.name === "max_connections");
    return param ? num(param.value) : `parameter group ${group.name} does not set max_connections`;
  });
}

/** The most invocations of a function that can run at once, or undefined when nothing bounds it. */
function maxConcurrency(stack: StackIndex, fn: PolicyResource, ctx: CheckContext): number | undefined | "unknown" {
  const bounds: number[] = [];
  const reserved = ctx.inspect(fn, () => ({ value: num(fn.props.reservedConcurrentExecutions) }));
  if (!reserved) return "unknown";
  if (reserved.value !== undefined && reserved.value >= 0) bounds.push(reserved.value);
  const fnName = ctx.inspect(fn, () => str(fn.props.name));
  const mappings = stack
    .ofType(T.eventSourceMapping)
    .filter((m) =>
      stack.refersTo(m, "functionName", fn, () => fnName !== undefined && ctx.inspect(m, () => str(m.props.functionName))?.endsWith(fnName) === true),
    );
  for (const m of mappings) {
    const cap = ctx.inspect(m, () => num(obj(m.props.scalingConfig).maximumConcurrency));
    if (cap !== undefined) bounds.push(cap);
  }
  return bounds.length > 0 ? Math.min(...bounds) : undefined;
}

export const connectionBudget = stackPolicy<ConnectionBudgetConfig>(connectionBudgetSpec, (stack, ctx, config) => {
  const share = config.maxShare ?? DEFAULT_CONNECTION_SHARE;
  const functions = stack.ofType(T.lambda).filter((fn) => ctx.inspect(fn, () => usesDatabase(stack, fn)) === true);
  for (const db of stack.ofType(T.dbInstance)) {
    const region = stack.regionLabel(db);
    const max = maxConnections(stack, db, ctx);
    if (max === undefined) continue;
    if (typeof max === "string") {
      ctx.report(db, `${region}: ${max}`);
      continue;
    }
    const budget = Math.floor(max * share);
    const users = functions.filter((fn) => stack.regionOf(fn) === stack.regionOf(db));
    const parts: string[] = [];
    let total = 0;
    let complete = true;
    for (const fn of users) {
      const concurrency = maxConcurrency(stack, fn, ctx);
      const pool = ctx.inspect(fn, () => num(envOf(fn.props).DB_POOL_SIZE) ?? DEFAULT_POOL_SIZE);
      if (concurrency === "unknown" || pool === undefined) {
        complete = false;
        continue;
      }
      if (concurrency === undefined) {
        ctx.report(
          fn,
          `${region}: ${fn.name} uses the database but nothing bounds its concurrency (no reserved concurrency, no event source maximumConcurrency), so it can exhaust max_connections ${max}`,
        );
        complete = false;
        continue;
      }
      total += concurrency * pool;
      parts.push(`${fn.name} ${concurrency}x${pool}`);
    }
    if (complete && total > budget) {
      ctx.report(
        db,
        `${region}: functions may hold ${total} connections (${parts.join(" + ")}), above ${Math.round(share * 100)}% of max_connections ${max} (${budget})`,
      );
    }
  }
});
