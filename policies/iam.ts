// least-privilege-role: each function's role grants what its code calls
// (docs/contracts.md) and nothing by wildcard. Missing grants are the story's
// permission toil; wildcard actions are how a role quietly grows.
// Secrets are granted by their exact ARN, or (the database secret) as the
// master secret RDS manages for the DB instance the function's environment
// comes from (db-secret-grant.ts). That form does not need the secret's ARN,
// which RDS makes up at creation, so an unknown DB_SECRET_ARN passes there,
// and only there: any other unknown this policy reads is a finding.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { GET_SECRET_VALUE, grantsExactSecret, isRdsManagedSecretOf, rdsManagedSecretGrants, type DbInstanceRef } from "./db-secret-grant";
import { allowStatements, globMatch, type Statement } from "./support/iam-statements";
import { envOf, has, json, list, str, tagsOf, type Props } from "./support/props";
import { T, describe, regionOf, type StackIndex } from "./support/resources";
import { readIfKnown } from "./support/runtime";

export const leastPrivilegeSpec: PolicySpec = {
  name: "least-privilege-role",
  description:
    "Each function's role allows what its code needs (thumbnails: read raw, write thumbnails; canary: write raw, read thumbnails; database users: read their secret, by exact ARN or as the RDS-managed secret pinned to their instance) and no statement allows a wildcard action or uses NotAction.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Grant the missing action on the named resource in the function's RolePolicy (infra/iam-policies.ts), and replace wildcard actions with the exact actions the code calls.",
};

/** AWS managed policies that grant (nearly) everything. */
const BROAD_MANAGED_POLICY = /:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

export interface Need {
  action: string;
  /** A concrete ARN the code touches; a grant must cover it. */
  resource: string;
  /** The resource as shown in a finding. */
  shown: string;
  why: string;
}

/** What a function's code calls on S3, from its contract name and environment (secrets: see checkSecret). */
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
  return needs;
}

/** Environment variables naming a secret the function reads. */
const SECRET_ENV = ["DB_SECRET_ARN", "JIRA_SECRET_ARN"] as const;

/**
 * Form (b) grants (db-secret-grant.ts) that hold for this function: the pinned
 * instance is a DB instance of this stack and region (by its `identifier`) that
 * the function's environment is computed from, so the secret it reads is that
 * instance's master secret.
 */
function instanceSecretGrants(stack: StackIndex, ctx: CheckContext, fn: PolicyResource, region: string, statements: Statement[]): DbInstanceRef[] {
  const environmentFrom = new Set(stack.dependenciesOf(fn, "environment").map((d) => d.urn));
  const sources = stack.ofType(T.dbInstance).filter((i) => regionOf(i) === region && environmentFrom.has(i.urn));
  return rdsManagedSecretGrants(statements).filter(
    (g) => g.region === region && sources.some((i) => ctx.inspect(i, () => str(i.props.identifier)) === g.identifier),
  );
}

/**
 * The function's role must grant GetSecretValue on each secret it reads: by the
 * exact ARN, or (DB_SECRET_ARN) as the RDS-managed master secret of the
 * instance its environment comes from. That second form does not need the ARN,
 * so an ARN unknown at preview is accepted there and only there.
 */
function checkSecret(stack: StackIndex, ctx: CheckContext, fn: PolicyResource, region: string, statements: Statement[], env: Props, key: (typeof SECRET_ENV)[number]): void {
  if (!has(env, key)) return;
  const secret = readIfKnown(() => str(env[key]));
  const pinned = key === "DB_SECRET_ARN" ? instanceSecretGrants(stack, ctx, fn, region, statements) : [];
  if (!secret.known) {
    if (pinned.length > 0) return;
    ctx.report(
      fn,
      `${region}: ${describe(fn)}: props.environment.variables.${key} is unknown at preview time, and its role grants ${GET_SECRET_VALUE} neither on a known ARN nor as the RDS-managed master secret of a DB instance of this region that the function's environment comes from, so least-privilege-role cannot verify it. ` +
        "Grant the RDS-managed secret with the aws:rds:primaryDBInstanceArn condition (infra/iam-policies.ts), or make the ARN known before deployment.",
    );
    return;
  }
  const arn = secret.value;
  if (arn === undefined) return;
  if (grantsExactSecret(statements, arn) || pinned.some((i) => isRdsManagedSecretOf(i, arn))) return;
  ctx.report(fn, `${region}: ${fn.name}'s role does not allow ${GET_SECRET_VALUE} on ${arn} (by that exact ARN, or as the RDS-managed secret of its DB instance), which it needs to read its secret ${key}`);
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
    const needs = ctx.inspect(fn, () => needsOf(str(tagsOf(fn)["pipeline:function"]), envOf(fn.props)));
    for (const need of needs ?? []) {
      const granted = statements.some((s) => s.actions.some((a) => globMatch(a, need.action)) && s.resources.some((r) => globMatch(r, need.resource)));
      if (!granted) ctx.report(fn, `${region}: ${fn.name}'s role does not allow ${need.action} on ${need.shown}, which it needs to ${need.why}`);
    }
    const env = ctx.inspect(fn, () => envOf(fn.props));
    if (env) for (const key of SECRET_ENV) checkSecret(stack, ctx, fn, region, statements, env, key);
  }
});
