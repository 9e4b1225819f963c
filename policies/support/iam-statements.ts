// IAM policy documents as the pack reads them: the Allow statements of a
// parsed document, and IAM's glob matching of actions and resources. Pure; the
// documents are parsed JSON strings, so nothing here is behind the runtime's proxy.
import { isObject } from "./props";

export interface Statement {
  actions: string[];
  resources: string[];
  notAction: boolean;
  /** With NotAction: the actions it does not allow (it allows every other). */
  notActions: string[];
  /** `Condition` as written: operator -> condition key -> value(s). */
  condition: Record<string, Record<string, unknown>>;
  /** Which policy it comes from, for messages ("inline policy x", an AWS managed policy's ARN). */
  source?: string;
}

function conditionOf(raw: unknown): Record<string, Record<string, unknown>> {
  if (!isObject(raw)) return {};
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, Record<string, unknown>] => isObject(e[1])));
}

/** The Allow statements of a policy document, or undefined when it is not one. */
export function allowStatements(document: unknown): Statement[] | undefined {
  if (!isObject(document)) return undefined;
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return raw
    .filter(isObject)
    .filter((s) => s.Effect === "Allow")
    .map((s) => ({
      actions: ([] as unknown[]).concat(s.Action ?? []).map(String),
      resources: ([] as unknown[]).concat(s.Resource ?? []).map(String),
      notAction: s.NotAction !== undefined,
      notActions: ([] as unknown[]).concat(s.NotAction ?? []).map(String),
      condition: conditionOf(s.Condition),
    }));
}

/** IAM's matching of an action or resource pattern (`*`, `?`), case-insensitive as for actions. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return re.test(value);
}

/** Does the statement allow this action: by an action pattern, or by NotAction not excluding it? */
export function grantsAction(s: Statement, action: string): boolean {
  return s.notAction ? !s.notActions.some((a) => globMatch(a, action)) : s.actions.some((a) => globMatch(a, action));
}

/** Does the statement name this action itself (no wildcard standing in for it)? */
export function namesAction(s: Statement, action: string): boolean {
  return s.actions.some((a) => a.toLowerCase() === action.toLowerCase());
}

/**
 * The single value a statement's `StringEquals` condition requires for `key`
 * (condition keys are case-insensitive), or undefined when the statement does
 * not pin the key to exactly one value.
 */
export function stringEqualsValue(s: Statement, key: string): string | undefined {
  const entry = Object.entries(s.condition.StringEquals ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase());
  const values = entry ? ([] as unknown[]).concat(entry[1]) : [];
  return values.length === 1 && typeof values[0] === "string" ? values[0] : undefined;
}
