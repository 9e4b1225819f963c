// least-privilege-role: every role of the stack grants nothing by wildcard,
// whatever holds its documents (inline policies, attached customer-managed
// policies of the stack, AWS managed policies), and each function's role
// allows what the function needs: to read the objects of the buckets that
// trigger it, the secrets its environment names, and what the pack config
// requires of it. What a role allows is what every policy attached to it
// allows, AWS managed ones included (their documents from a built-in table or
// the config); a broad one is a finding of its own, never a missing grant.
// Missing grants are the story's permission toil; wildcards are how a role
// quietly grows.
// Secrets are granted by their exact ARN, or (a database's master secret) as
// the secret RDS manages for the DB instance the function's environment comes
// from (db-secret-grant.ts). That form does not need the secret's ARN, which
// RDS makes up at creation, so an unknown secret ARN passes there, and only
// there: any other unknown this policy reads is a finding.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { GET_SECRET_VALUE, grantsExactSecret, isRdsManagedSecretOf, rdsManagedSecretGrants, type DbInstanceRef } from "./db-secret-grant";
import { awsManagedPolicyName, isPolicyDocument } from "./support/aws-managed-policies";
import { globMatch, grantsAction, type Statement } from "./support/iam-statements";
import { envOf, has, str, tagsOf, type Props } from "./support/props";
import { T, describe, type StackIndex } from "./support/resources";
import { awsManagedGrants, functionRole, rolePolicies } from "./support/role-policies";
import { readIfKnown } from "./support/runtime";
import { triggersOf } from "./support/s3-graph";

export interface RequiredGrant {
  /** Which functions: by tag (all given tags equal) and/or by a glob over the function's name. */
  function: { tags?: Record<string, string>; name?: string };
  action: string;
  /** The resource the code touches; `{env.NAME}` stands for the function's environment variable NAME. */
  resource: string;
  /** What the code does with it, for the message. */
  why: string;
}

export interface LeastPrivilegeConfig {
  /** ARN globs of AWS managed policies too broad for any role (default: see BROAD_MANAGED_POLICIES; replaces it). */
  broadManagedPolicies?: string[];
  /** ARN globs of AWS managed policies the organisation accepts although broadManagedPolicies matches them. */
  allowedManagedPolicies?: string[];
  /** Globs over environment variable names that hold a secret's ARN (default `*SECRET_ARN`); any value that is a Secrets Manager ARN counts too. */
  secretEnvironmentVariables?: string[];
  /** Grants particular functions need beyond what the pack infers. */
  requiredGrants?: RequiredGrant[];
  /** Documents of AWS managed policies (by name after `policy/`) the built-in table does not know, as AWS publishes them. */
  awsManagedPolicies?: Record<string, unknown>;
}

/**
 * AWS managed policies no role may have, as ARN globs over any partition and
 * path (AWS names its policies by what they grant, so the names are the pattern):
 *  - `*FullAccess*`: every action of a service on every resource, whatever the
 *    version suffix (AmazonS3FullAccess, AWSLambda_FullAccess, CloudWatchFullAccessV2, ..._v2);
 *  - `*PowerUser*`: everything but account administration (PowerUserAccess), or all of
 *    a service but its deletion (AmazonCognitoPowerUser, AWSKeyManagementServicePowerUser);
 *  - `*Admin*`: administration of the account, a job function or a service
 *    (AdministratorAccess, AdministratorAccess-Amplify, job-function/SystemAdministrator, AWSCodeArtifactAdminAccess);
 *  - `ReadOnlyAccess`: reads every object, item, parameter and log of the account;
 *  - `SecretsManagerReadWrite`: every secret of the account.
 */
export const BROAD_MANAGED_POLICIES = [
  "arn:aws*:iam::aws:policy/*FullAccess*",
  "arn:aws*:iam::aws:policy/*PowerUser*",
  "arn:aws*:iam::aws:policy/*Admin*",
  "arn:aws*:iam::aws:policy/ReadOnlyAccess",
  "arn:aws*:iam::aws:policy/SecretsManagerReadWrite",
];
const DEFAULT_SECRET_VARIABLES = ["*SECRET_ARN"];

export const leastPrivilegeSpec: PolicySpec = {
  name: "least-privilege-role",
  description:
    "No role of the stack allows a wildcard action or uses NotAction in any inline or attached policy, or has a broad AWS managed policy; each function's role allows reading the objects of the buckets that trigger it, the secrets its environment names (by exact ARN, or as the RDS-managed secret pinned to its instance) and the grants the pack config requires.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Replace wildcard actions and broad managed policies with the exact actions the code calls on the exact resources; add the missing grant named in the finding to the function's role.",
  config: {
    broadManagedPolicies: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description: `ARN globs of AWS managed policies no role may have; replaces the default ${BROAD_MANAGED_POLICIES.join(", ")}.`,
    },
    allowedManagedPolicies: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description: "ARN globs of AWS managed policies accepted although broadManagedPolicies matches them.",
    },
    secretEnvironmentVariables: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description: "Globs over environment variable names holding a secret ARN (default *SECRET_ARN).",
    },
    awsManagedPolicies: {
      type: "object",
      description: 'What AWS managed policies allow, for those the pack does not know: { "<name after policy/>": <the policy document AWS publishes> }.',
      additionalProperties: { type: "object" },
    },
    requiredGrants: {
      type: "array",
      description: "{ function: { tags?, name? }, action, resource (with {env.NAME}), why }",
      items: {
        type: "object",
        required: ["function", "action", "resource", "why"],
        additionalProperties: false,
        properties: {
          function: {
            type: "object",
            additionalProperties: false,
            properties: { tags: { type: "object", additionalProperties: { type: "string" } }, name: { type: "string" } },
          },
          action: { type: "string", pattern: "^[a-zA-Z0-9-]+:[a-zA-Z0-9]+$", description: 'an IAM action such as "s3:PutObject"' },
          resource: { type: "string", minLength: 1 },
          why: { type: "string", minLength: 1 },
        },
      },
    },
  },
};

interface Need {
  action: string;
  /** A concrete ARN the code touches; a grant must cover it. */
  resource: string;
  shown: string;
  why: string;
}

function allows(statements: Statement[], need: Need): boolean {
  return statements.some((s) => grantsAction(s, need.action) && s.resources.some((r) => globMatch(r, need.resource)));
}

/** Everything a role's policies allow, and the AWS managed policies whose documents the pack does not know. */
interface RoleGrants {
  /** Inline and attached customer-managed documents, then the AWS managed ones the pack knows. */
  statements: Statement[];
  /** ARNs of attached AWS managed policies of unknown content: a missing grant may be in them. */
  unreadManaged: string[];
  complete: boolean;
}

/** A function reads the objects that trigger it. */
function triggerNeeds(stack: StackIndex, fn: PolicyResource): Need[] {
  return triggersOf(stack, fn).flatMap((t) => {
    const name = readIfKnown(() => str(t.bucket.props.bucket));
    if (!name.known || name.value === undefined) return [];
    return [
      {
        action: "s3:GetObject",
        resource: `arn:aws:s3:::${name.value}/${t.prefix}object`,
        shown: `arn:aws:s3:::${name.value}/${t.prefix}*`,
        why: `read the objects whose notification invokes it (${t.via})`,
      },
    ];
  });
}

function configuredNeeds(ctx: CheckContext, fn: PolicyResource, grants: RequiredGrant[]): Need[] {
  const out: Need[] = [];
  for (const g of grants) {
    const applies = ctx.inspect(fn, () => {
      const tags = tagsOf(fn);
      const name = str(fn.props.name) ?? fn.name;
      return Object.entries(g.function.tags ?? {}).every(([k, v]) => tags[k] === v) && (g.function.name === undefined || globMatch(g.function.name, name));
    });
    if (!applies) continue;
    const env = ctx.inspect(fn, () => envOf(fn.props)) ?? {};
    let missingVariable: string | undefined;
    const fill = (template: string) =>
      template.replace(/\{env\.([A-Za-z0-9_]+)\}/g, (_, v: string) => {
        const value = ctx.inspect(fn, () => str(env[v]));
        if (value === undefined) missingVariable = v;
        return value ?? "";
      });
    const resource = fill(g.resource);
    if (missingVariable !== undefined) continue;
    // A wildcard in the required resource stands for one concrete key a grant must cover.
    out.push({ action: g.action, resource: resource.replace(/\*/g, "probe"), shown: resource, why: g.why });
  }
  return out;
}

/** Form (b) grants (db-secret-grant.ts) that hold: a DB instance of the same region, with that identifier, that the function's environment is computed from. */
function instanceSecretGrants(stack: StackIndex, ctx: CheckContext, fn: PolicyResource, statements: Statement[]): DbInstanceRef[] {
  const region = stack.regionOf(fn);
  const environmentFrom = new Set(stack.dependenciesOf(fn, "environment").map((d) => d.urn));
  const sources = stack.ofType(T.dbInstance).filter((i) => stack.regionOf(i) === region && environmentFrom.has(i.urn));
  return rdsManagedSecretGrants(statements).filter(
    (g) => g.region === region && sources.some((i) => ctx.inspect(i, () => str(i.props.identifier)) === g.identifier),
  );
}

const SECRET_ARN_RE = /^arn:aws[a-z-]*:secretsmanager:/;

/**
 * The role must grant GetSecretValue on each secret the environment names: by
 * the exact ARN, or as the RDS-managed master secret of the instance the
 * environment comes from. That second form does not need the ARN, so an ARN
 * unknown at preview is accepted there and only there.
 */
function checkSecrets(stack: StackIndex, ctx: CheckContext, fn: PolicyResource, statements: Statement[], env: Props, secretVariables: string[]): void {
  const region = stack.regionLabel(fn);
  const pinned = instanceSecretGrants(stack, ctx, fn, statements);
  for (const key of Object.keys(env).sort()) {
    const value = readIfKnown(() => str(env[key]));
    const namedSecret = secretVariables.some((g) => globMatch(g, key));
    if (!value.known) {
      if (!namedSecret || pinned.length > 0) continue;
      ctx.report(
        fn,
        `${region}: ${describe(fn)}: props.environment.variables.${key} is unknown at preview time, and its role grants ${GET_SECRET_VALUE} neither on a known ARN nor as the RDS-managed master secret of a DB instance of this region that the function's environment comes from, so least-privilege-role cannot verify it. ` +
          "Grant the RDS-managed secret with the aws:rds:primaryDBInstanceArn condition, or make the ARN known before deployment.",
      );
      continue;
    }
    const arn = value.value;
    if (arn === undefined || !(SECRET_ARN_RE.test(arn) || (namedSecret && arn.startsWith("arn:")))) continue;
    if (grantsExactSecret(statements, arn) || pinned.some((i) => isRdsManagedSecretOf(i, arn))) continue;
    ctx.report(
      fn,
      `${region}: ${fn.name}'s role does not allow ${GET_SECRET_VALUE} on ${arn} (by that exact ARN, or as the RDS-managed secret of its DB instance), which it needs to read its secret ${key}`,
    );
  }
}

/** Which AWS managed policies are too broad: the configured (or built-in) globs, less the allowed ones. */
interface BroadPolicies {
  broad: string[];
  allowed: string[];
}

function isBroad(arn: string, { broad, allowed }: BroadPolicies): boolean {
  return broad.some((g) => globMatch(g, arn)) && !allowed.some((g) => globMatch(g, arn));
}

function checkRoleDocuments(
  stack: StackIndex,
  ctx: CheckContext,
  role: PolicyResource,
  broad: BroadPolicies,
  managedDocuments: Record<string, unknown>,
): RoleGrants {
  const region = stack.regionLabel(role);
  const policies = rolePolicies(stack, role, ctx);
  const statements: Statement[] = [];
  for (const doc of policies.documents) {
    for (const s of doc.statements) {
      const wildcard = s.actions.filter((a) => a.includes("*") || a.includes("?"));
      if (wildcard.length > 0)
        ctx.report(doc.holder, `${region}: ${doc.label} (role ${role.name}) allows wildcard action${wildcard.length > 1 ? "s" : ""} ${wildcard.join(", ")}`);
      if (s.notAction) ctx.report(doc.holder, `${region}: ${doc.label} (role ${role.name}) uses NotAction, which allows everything not listed`);
    }
    statements.push(...doc.statements);
  }
  for (const { arn, holder } of policies.externalArns) {
    if (isBroad(arn, broad)) ctx.report(holder, `${region}: role ${role.name} has the broad AWS managed policy ${arn}`);
    else if (awsManagedPolicyName(arn) === undefined)
      ctx.report(
        holder,
        `${region}: role ${role.name} has the policy ${arn}, which is not in the stack, so least-privilege-role cannot read what it allows; manage it in the stack or waive it`,
      );
  }
  // What AWS managed policies allow counts for what the role's functions need, broad or not: the breadth is its own finding.
  const managed = awsManagedGrants(policies, managedDocuments);
  return { statements: [...statements, ...managed.statements], unreadManaged: managed.unread, complete: policies.complete };
}

/** The configured documents that are policy documents; each one that is not is a finding naming its key. */
function managedDocumentsOf(ctx: CheckContext, configured: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, document] of Object.entries(configured)) {
    if (isPolicyDocument(document)) out[name] = document;
    else
      ctx.report(
        undefined,
        `least-privilege-role.awsManagedPolicies.${name} is not a policy document; expected { "Statement": [{ "Effect": "Allow", "Action": [...], "Resource": [...] }] }, as the AWS Managed Policy Reference shows it`,
      );
  }
  return out;
}

export const leastPrivilegeRole = stackPolicy<LeastPrivilegeConfig>(leastPrivilegeSpec, (stack, ctx, config) => {
  const broad: BroadPolicies = { broad: config.broadManagedPolicies ?? BROAD_MANAGED_POLICIES, allowed: config.allowedManagedPolicies ?? [] };
  const managedDocuments = managedDocumentsOf(ctx, config.awsManagedPolicies ?? {});
  const roles = new Map<string, RoleGrants>();
  for (const role of stack.ofType(T.role)) roles.set(role.urn, checkRoleDocuments(stack, ctx, role, broad, managedDocuments));

  for (const fn of stack.ofType(T.lambda)) {
    const region = stack.regionLabel(fn);
    const role = functionRole(stack, fn);
    if (!role) {
      if (ctx.inspect(fn, () => has(fn.props, "role")))
        ctx.report(fn, `${region}: ${fn.name}'s role is not a role of this stack, so its permissions cannot be checked`);
      continue;
    }
    const { statements, unreadManaged, complete } = roles.get(role.urn) as RoleGrants;
    if (!complete) continue;
    const unread =
      unreadManaged.length === 0
        ? ""
        : `; its AWS managed polic${unreadManaged.length > 1 ? "ies" : "y"} ${unreadManaged.join(", ")} may, but the pack does not know what ${unreadManaged.length > 1 ? "they allow" : "it allows"}: give ${unreadManaged.length > 1 ? "their documents" : "its document"} in least-privilege-role.awsManagedPolicies`;
    for (const need of [...triggerNeeds(stack, fn), ...configuredNeeds(ctx, fn, config.requiredGrants ?? [])]) {
      if (!allows(statements, need))
        ctx.report(fn, `${region}: ${fn.name}'s role does not allow ${need.action} on ${need.shown}, which it needs to ${need.why}${unread}`);
    }
    const env = ctx.inspect(fn, () => envOf(fn.props));
    if (env) checkSecrets(stack, ctx, fn, statements, env, config.secretEnvironmentVariables ?? DEFAULT_SECRET_VARIABLES);
  }
});
