// Every policy document that applies to an IAM role of the stack: inline
// (RolePolicy, the role's inlinePolicies), attached customer-managed policies
// of the stack (RolePolicyAttachment, PolicyAttachment, managedPolicyArns) and
// AWS managed policies by ARN, with what those allow when the pack knows
// their documents (aws-managed-policies.ts). Shared by least-privilege-role
// and no-recursive-trigger.
import type { PolicyResource } from "@pulumi/policy";
import { awsManagedPolicyName, awsManagedStatements } from "./aws-managed-policies";
import { allowStatements, type Statement } from "./iam-statements";
import { isObject, json, list, str } from "./props";
import { T, type StackIndex } from "./resources";
import type { Inspector } from "./log-groups";
import { readIfKnown } from "./runtime";

export interface RoleDocument {
  /** The resource holding the document (a RolePolicy, a managed Policy, or the role for inline policies). */
  holder: PolicyResource;
  /** How findings name it: "inline policy x", "attached policy y". */
  label: string;
  statements: Statement[];
}

export interface RolePolicies {
  documents: RoleDocument[];
  /** ARNs of attached policies whose document the stack does not hold (AWS managed ones, or existing customer ones). */
  externalArns: { arn: string; holder: PolicyResource }[];
  /** False when a document that applies is unknown at preview (the inspector has recorded it). */
  complete: boolean;
}

function isAttachedTo(stack: StackIndex, attachment: PolicyResource, key: string, role: PolicyResource, roleName: string | undefined, ins: Inspector): boolean {
  const deps = stack.dependenciesOf(attachment, key);
  if (deps.length > 0) return deps.some((d) => d.urn === role.urn);
  if (roleName === undefined) return false;
  const value = ins.inspect(attachment, () => attachment.props[key]);
  return value === roleName || (Array.isArray(value) && value.includes(roleName));
}

/** The managed Policy of the stack whose ARN this is (by its name and path). */
function managedPolicyByArn(stack: StackIndex, arn: string, ins: Inspector): PolicyResource | undefined {
  return stack.ofType(T.managedPolicy).find((p) => {
    const name = ins.inspect(p, () => str(p.props.name));
    const path = ins.inspect(p, () => str(p.props.path)) ?? "/";
    return name !== undefined && arn.endsWith(`:policy${path}${name}`);
  });
}

export function rolePolicies(stack: StackIndex, role: PolicyResource, ins: Inspector): RolePolicies {
  const documents: RoleDocument[] = [];
  const externalArns: { arn: string; holder: PolicyResource }[] = [];
  let complete = true;
  const roleName = ins.inspect(role, () => str(role.props.name));
  const add = (holder: PolicyResource, label: string, read: () => unknown) => {
    const statements = ins.inspect(holder, () => allowStatements(json(read())));
    if (statements === undefined) complete = false;
    else documents.push({ holder, label, statements: statements.map((st) => ({ ...st, source: label })) });
  };

  for (const p of stack.ofType(T.rolePolicy).filter((p) => isAttachedTo(stack, p, "role", role, roleName, ins)))
    add(p, `inline policy ${p.name}`, () => p.props.policy);
  const inline = ins.inspect(role, () => list(role.props.inlinePolicies).filter(isObject));
  inline?.forEach((p, i) => add(role, `inline policy ${str(p.name) ?? `#${i + 1}`} of ${role.name}`, () => p.policy));

  const attachOne = (holder: PolicyResource, arn: string) => {
    const policy = managedPolicyByArn(stack, arn, ins);
    if (policy) add(policy, `attached policy ${policy.name}`, () => policy.props.policy);
    else externalArns.push({ arn, holder });
  };
  const attachments = [
    ...stack.ofType(T.rolePolicyAttachment).filter((a) => isAttachedTo(stack, a, "role", role, roleName, ins)),
    ...stack.ofType(T.policyAttachment).filter((a) => isAttachedTo(stack, a, "roles", role, roleName, ins)),
  ];
  for (const a of attachments) {
    // A policy of the stack is known by its dependency even before its ARN exists.
    const dep = stack.dependenciesOf(a, "policyArn").find((d) => d.type === T.managedPolicy);
    if (dep) {
      add(dep, `attached policy ${dep.name}`, () => dep.props.policy);
      continue;
    }
    const arn = ins.inspect(a, () => str(a.props.policyArn));
    if (arn === undefined) complete = false;
    else attachOne(a, arn);
  }
  const managedDeps = stack.dependenciesOf(role, "managedPolicyArns").filter((d) => d.type === T.managedPolicy);
  for (const dep of managedDeps) add(dep, `attached policy ${dep.name}`, () => dep.props.policy);
  // Elements unknown at preview are the stack's policies above; a known one may be an AWS managed policy.
  const arns = managedDeps.length > 0 ? readIfKnown(() => list(role.props.managedPolicyArns).length) : undefined;
  const count = arns?.known ? arns.value : managedDeps.length > 0 ? 0 : ins.inspect(role, () => list(role.props.managedPolicyArns).length);
  if (count === undefined) complete = false;
  for (let i = 0; i < (count ?? 0); i++) {
    const arn = readIfKnown(() => str(list(role.props.managedPolicyArns)[i]));
    if (arn.known && arn.value !== undefined && !managedDeps.some((d) => managedPolicyByArn(stack, arn.value as string, ins)?.urn === d.urn))
      attachOne(role, arn.value);
    else if (!arn.known && managedDeps.length === 0) complete = false;
  }
  return { documents, externalArns, complete };
}

export interface ManagedGrants {
  /** What the role's AWS managed policies allow, as far as the pack knows their documents. */
  statements: Statement[];
  /** ARNs of the role's AWS managed policies whose documents the pack does not know. */
  unread: string[];
}

/** What a role's attached AWS managed policies allow: `documents` (by name after `policy/`) first, then the built-in table. */
export function awsManagedGrants(policies: RolePolicies, documents: Record<string, unknown> = {}): ManagedGrants {
  const out: ManagedGrants = { statements: [], unread: [] };
  for (const { arn } of policies.externalArns) {
    const name = awsManagedPolicyName(arn);
    if (name === undefined) continue;
    const statements = awsManagedStatements(name, documents);
    if (statements) out.statements.push(...statements.map((st) => ({ ...st, source: arn })));
    else out.unread.push(arn);
  }
  return out;
}

/** Every statement that applies to a role: its documents' and its AWS managed policies' (those the pack knows). */
export function allRoleStatements(policies: RolePolicies, documents?: Record<string, unknown>): Statement[] {
  return [...policies.documents.flatMap((d) => d.statements), ...awsManagedGrants(policies, documents).statements];
}

/** The role a function runs as, when it is a role of the stack. */
export function functionRole(stack: StackIndex, fn: PolicyResource): PolicyResource | undefined {
  return stack.dependenciesOf(fn, "role").find((d) => d.type === T.role);
}
