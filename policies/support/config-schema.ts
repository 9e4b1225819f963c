// Each policy's config is described once, as the JSON schema the pack hands
// the Pulumi CLI (configSchema), and the pack checks what it receives against
// that same schema: the CLI validates the types but lets unknown keys through
// at the top level, and a key misspelled by one letter must be an error, never
// a silently ignored setting. A deliberately small subset of JSON Schema.
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** Keys every policy's config carries besides its own: the server adds the level, and every policy takes waivers. */
const COMMON_KEYS = ["enforcementLevel", "waivers"];

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** ` (did you mean "x"?)` when one known word is within two edits of `word`. */
export function didYouMean(word: string, known: readonly string[]): string {
  const close = known
    .map((k) => ({ k, d: levenshtein(word.toLowerCase(), k.toLowerCase()) }))
    .filter((c) => c.d <= 2)
    .sort((a, b) => a.d - b.d);
  return close.length > 0 ? ` (did you mean "${close[0].k}"?)` : "";
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function matchesType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === "number" && actual === "integer");
}

function check(schema: PolicyConfigJSONSchema, value: unknown, path: string, problems: string[]): void {
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type);
  if (types.length > 0 && !types.some((t) => matchesType(value, t))) {
    problems.push(`${path} is ${JSON.stringify(value)}; expected ${types.join(" or ")}`);
    return;
  }
  if (schema.enum && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value))) {
    const known = schema.enum.map((e: unknown) => String(e));
    problems.push(`${path} is ${JSON.stringify(value)}; expected one of ${known.join(", ")}${typeof value === "string" ? didYouMean(value, known) : ""}`);
    return;
  }
  if (typeof value === "string") {
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      problems.push(`${path} is ${JSON.stringify(value)}; expected ${schema.description ?? `a match of ${schema.pattern}`}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path} is empty`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path} is ${value}; expected at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path} is ${value}; expected at most ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      problems.push(`${path} is ${value}; expected more than ${schema.exclusiveMinimum}`);
  }
  if (Array.isArray(value) && schema.items && !Array.isArray(schema.items) && typeof schema.items === "object") {
    const items = schema.items;
    value.forEach((v, i) => check(items, v, `${path}[${i}]`, problems));
  }
  if (typeOf(value) === "object") checkObject(schema, value as Record<string, unknown>, path, problems);
}

function checkObject(schema: PolicyConfigJSONSchema, value: Record<string, unknown>, path: string, problems: string[]): void {
  const properties = schema.properties ?? {};
  for (const key of schema.required ?? []) if (!(key in value)) problems.push(`${path}.${key} is missing`);
  for (const [key, v] of Object.entries(value)) {
    const sub = properties[key];
    if (typeof sub === "object") check(sub, v, `${path}.${key}`, problems);
    else if (typeof schema.additionalProperties === "object") check(schema.additionalProperties, v, `${path}.${key}`, problems);
    else if (schema.additionalProperties === false) {
      problems.push(`${path}.${key} is not a known key; expected one of ${Object.keys(properties).join(", ")}${didYouMean(key, Object.keys(properties))}`);
    }
  }
}

/** Problems of a policy's received config against its schema, each naming the key. */
export function configProblems(policy: string, schema: PolicyConfigSchema, config: unknown): string[] {
  const problems: string[] = [];
  if (config === undefined || config === null) return problems;
  if (typeOf(config) !== "object") return [`${policy} is ${JSON.stringify(config)}; expected an object`];
  const known = [...Object.keys(schema.properties), ...COMMON_KEYS];
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (COMMON_KEYS.includes(key)) continue;
    const sub = schema.properties[key];
    if (sub === undefined) problems.push(`${policy}.${key} is not a setting of ${policy}; its settings are ${known.join(", ")}${didYouMean(key, known)}`);
    else if (typeof sub === "object") check(sub, value, `${policy}.${key}`, problems);
  }
  return problems;
}
