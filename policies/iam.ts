// least-privilege-role: each function's role grants what its code calls
// (docs/contracts.md) and nothing by wildcard. Missing grants are the story's
// permission toil; wildcard actions are how a role quietly grows.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { envOf, isObject, json, list, str, tagsOf } from "./support/props";
import { T, regionOf, type StackIndex } from "./support/resources";

export const leastPrivilegeSpec: PolicySpec = {
  name: "least-privilege-role",
  description:
    "Each function's role allows what its code needs (thumbnails: read raw, write thumbnails; canary: write raw, read thumbnails; database users: read their secret) and no statement allows a wildcard action or uses NotAction.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Grant the missing action on the named resource in the function's RolePolicy (infra/iam-policies.ts), and replace wildcard actions with the exact actions the code calls.",
};

/** AWS managed policies that grant (nearly) everything. */
const BROAD_MANAGED_POLICY = /:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

interface Statement {
  actions: string[];
  resources: string[];
  notAction: boolean;
}

function allowStatements(document: unknown): Statement[] | undefined {
  if (!isObject(document)) return undefined;
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return raw.filter(isObject).filter((s) => s.Effect === "Allow").map((s) => ({
    actions: ([] as unknown[]).concat(s.Action ?? []).map(String),
    resources: ([] as unknown[]).concat(s.Resource ?? []).map(String),
    notAction: s.NotAction !== undefined,
  }));
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(value);
}

export interface Need {
  action: string;
  /** A concrete ARN the code touches; a grant must cover it. */
  resource: string;
  /** The resource as shown in a finding. */
  shown: string;
  why: string;
}

/** What a function's code calls, from its contract name and environment. */
export function needsOf(fnKey: string | undefined, env: Record<string, unknown>): Need[] {
  const needs: Need[] = [];
  const raw = str(env.RAW_BUCKET);
  const thumbs = str(env.THUMBNAILS_BUCKET);
  const prefix = str(env.CANARY_PREFIX) ?? "canary/";
  if (fnKey === "thumbnails") {
    if (raw) needs.push({ action: "s3:GetObject", resource: `arn:aws:s3:::${raw}/uploads/image.jpg`, shown: `arn:aws:s3:::${raw}/*`, why: "read raw uploads" });
    if (thumbs) needs.push({ action: "s3:PutObject", resource: `arn:aws:s3:::${thumbs}/uploads/image.jpg`, shown: `arn:aws:s3:::${thumbs}/*`, why: "write thumbnails" });
  }
  if (fnKey === "canary") {
    if (raw) needs.push({ action: "s3:PutObject", resource: `arn:aws:s3:::${raw}/${prefix}probe.jpg`, shown: `arn:aws:s3:::${raw}/${prefix}*`, why: "upload the canary image" });
    if (thumbs) needs.push({ action: "s3:GetObject", resource: `arn:aws:s3:::${thumbs}/${prefix}probe.jpg`, shown: `arn:aws:s3:::${thumbs}/${prefix}*`, why: "read the canary's thumbnails" });
  }
  for (const key of ["DB_SECRET_ARN", "JIRA_SECRET_ARN"]) {
    const arn = str(env[key]);
    if (arn) needs.push({ action: "secretsmanager:GetSecretValue", resource: arn, shown: arn, why: `read its secret ${key}` });
  }
  return needs;
}

function rolePolicies(stack: StackIndex, role: PolicyResource, ctx: CheckContext): PolicyResource[] {
  const roleName = ctx.inspect(role, () => str(role.props.name));
  return stack.ofType(T.rolePolicy).filter(
    (p) => stack.refersTo(p, "role", role, () => roleName !== undefined && ctx.inspect(p, () => str(p.props.role)) === roleName),
  );
}

export const leastPrivilegeRole = stackPolicy(leastPrivilegeSpec, (stack, ctx) => {
  for (const fn of stack.ofType(T.lambda)) {
    const region = regionOf(fn) ?? "(global)";
    const role = stack.dependenciesOf(fn, "role").find((d) => d.type === T.role);
    if (!role) {
      ctx.report(fn, `${region}: ${fn.name}'s role is not a role of this stack, so its permissions cannot be checked`);
      continue;
    }
    const statements: Statement[] = [];
    let readable = true;
    for (const policy of rolePolicies(stack, role, ctx)) {
      const parsed = ctx.inspect(policy, () => allowStatements(json(policy.props.policy)));
      if (parsed === undefined) {
        readable = false;
        continue;
      }
      for (const s of parsed) {
        const wildcard = s.actions.filter((a) => a.includes("*"));
        if (wildcard.length > 0) ctx.report(policy, `${region}: ${policy.name} (role of ${fn.name}) allows wildcard action${wildcard.length > 1 ? "s" : ""} ${wildcard.join(", ")}`);
        if (s.notAction) ctx.report(policy, `${region}: ${policy.name} (role of ${fn.name}) uses NotAction, which allows everything not listed`);
      }
      statements.push(...parsed);
    }
    const managed = [
      ...(ctx.inspect(role, () => list(role.props.managedPolicyArns).map(String)) ?? []),
      ...stack
        .ofType(T.rolePolicyAttachment)
        .filter((a) => stack.refersTo(a, "role", role, () => false))
        .map((a) => ctx.inspect(a, () => str(a.props.policyArn)) ?? ""),
    ];
    for (const arn of managed.filter((a) => BROAD_MANAGED_POLICY.test(a))) {
      ctx.report(role, `${region}: ${fn.name}'s role has the AWS managed policy ${arn}`);
    }
    if (!readable) continue;
    const facts = ctx.inspect(fn, () => ({ key: str(tagsOf(fn)["pipeline:function"]), needs: needsOf(str(tagsOf(fn)["pipeline:function"]), envOf(fn.props)) }));
    if (!facts) continue;
    for (const need of facts.needs) {
      const granted = statements.some((s) => s.actions.some((a) => globMatch(a, need.action)) && s.resources.some((r) => globMatch(r, need.resource)));
      if (!granted) ctx.report(fn, `${region}: ${fn.name}'s role does not allow ${need.action} on ${need.shown}, which it needs to ${need.why}`);
    }
  }
});
