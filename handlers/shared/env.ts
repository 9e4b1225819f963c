// Reading configuration from environment variables. Every reader fails with a
// message naming the variable, the value it had and the form it needs, so a
// misconfigured function says what to fix in its first log line.
import { didYouMean } from "./suggest";

/** The environment as handlers see it; tests pass a plain object. */
export type Env = Readonly<Record<string, string | undefined>>;

export class EnvVarError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    readonly expected: string,
  ) {
    super(
      value === undefined
        ? `Environment variable ${variable} is not set; expected ${expected}.`
        : `Environment variable ${variable} is ${JSON.stringify(value)}; expected ${expected}.`,
    );
    this.name = "EnvVarError";
  }
}

/** The value, treating an empty or blank string as unset. */
function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

export function requiredString(env: Env, name: string, expected = "a non-empty string"): string {
  const value = raw(env, name);
  if (value === undefined) throw new EnvVarError(name, env[name], expected);
  return value;
}

export function optionalString(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export interface IntegerRange {
  min?: number;
  max?: number;
}

/** A whole number (digits only, `_` allowed as a separator), within range. */
export function integer(env: Env, name: string, fallback: number, range: IntegerRange = {}): number {
  const value = raw(env, name);
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const expected = `a whole number from ${min} to ${max}`;
  if (value === undefined) return fallback;
  if (!/^-?\d[\d_]*$/.test(value)) throw new EnvVarError(name, value, expected);
  const parsed = Number(value.replace(/_/g, ""));
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) throw new EnvVarError(name, value, expected);
  return parsed;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw new EnvVarError(name, value, `one of ${allowed.join(", ")}${didYouMean(value, allowed)}`);
  return match;
}

/** `true`/`false` (also 1/0, yes/no), case-insensitive. */
export function booleanFlag(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (["true", "1", "yes"].includes(lower)) return true;
  if (["false", "0", "no"].includes(lower)) return false;
  throw new EnvVarError(name, value, "true or false");
}

export type Validation<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Parses JSON and hands it to `validate`, which says what is wrong with a bad shape. */
export function json<T>(env: Env, name: string, fallback: T, expected: string, validate: (value: unknown) => Validation<T>): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new EnvVarError(name, value, `${expected} (not valid JSON: ${(error as Error).message})`);
  }
  const result = validate(parsed);
  if (!result.ok) throw new EnvVarError(name, value, `${expected} (${result.problem})`);
  return result.value;
}
