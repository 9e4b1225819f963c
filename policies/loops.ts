// no-recursive-trigger: a function must not be invoked by the bucket it
// writes to. When a bucket's ObjectCreated notification reaches a function,
// directly or through the queue or topic it notifies, and that function's
// role lets it write objects into the same bucket under keys the notification
// covers, every object it writes invokes it again: the classic S3 loop, which
// runs and bills until someone notices. Matched by types and references (the
// role's grants, the environment's references, the notification's targets).
import { stackPolicy, type PolicySpec } from "./support/define";
import { T, describe } from "./support/resources";
import { allRoleStatements, functionRole, rolePolicies } from "./support/role-policies";
import { bucketsInEnvironment, describeTrigger, prefixesOverlap, triggersOf, writeGrants } from "./support/s3-graph";

export const noRecursiveTriggerSpec: PolicySpec = {
  name: "no-recursive-trigger",
  description:
    "No function's role lets it write objects into a bucket whose ObjectCreated notification invokes that same function, directly or through the queue or topic that feeds it, under keys the notification covers.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Write the function's output to another bucket (or under a prefix its trigger's filterPrefix excludes), and grant s3:PutObject on exactly that bucket or prefix.",
};

export const noRecursiveTrigger = stackPolicy(noRecursiveTriggerSpec, (stack, ctx) => {
  for (const fn of stack.ofType(T.lambda)) {
    const triggers = triggersOf(stack, fn).filter((t) => t.onCreate);
    if (triggers.length === 0) continue;
    const role = functionRole(stack, fn);
    if (!role) continue;
    const statements = allRoleStatements(rolePolicies(stack, role, ctx));
    const grants = writeGrants(stack, statements, bucketsInEnvironment(stack, fn));
    for (const t of triggers) {
      const loop = grants.find((g) => g.bucket.urn === t.bucket.urn && prefixesOverlap(g.prefix, t.prefix));
      if (!loop) continue;
      ctx.report(
        fn,
        `${stack.regionLabel(fn)}: ${describe(fn)} may write objects into bucket ${t.bucket.name} (its role allows s3:PutObject on ${loop.resource}${loop.source ? ` by ${loop.source}` : ""}), and ${describeTrigger(t)} invokes it on every new object: each object it writes invokes it again, without end`,
      );
    }
  }
});
