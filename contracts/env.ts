// Environment variables as a typed contract between the program, which writes
// a function's environment, and the handler, which reads it. A variable is
// described once (name, meaning, form, default); `writeEnvironment` turns the
// program's values into strings and `readEnvironment` turns a process's
// environment back into typed values. Every reader fails with a message naming
// the variable, the value it had and the form it needs, so a misconfigured
// function says what to fix in its first log line, and a near miss of an
// allowed value is answered with the value it resembles.
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

// ---------------------------------------------------------------------------
// Readers of one variable.

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

/** A fraction in (0, 1], e.g. 0.8. */
export function fraction(env: Env, name: string, fallback: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(n > 0 && n <= 1)) throw new EnvVarError(name, value, "a fraction above 0 and at most 1, e.g. 0.8");
  return n;
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

// ---------------------------------------------------------------------------
// Variables and environments.

/**
 * Who sets a variable:
 * - `always`: the program writes it for every deployed function that has it;
 * - `when-set`: the program writes it when the stack configures it (Jira, say);
 * - `never`: not deployed (the reader's default holds on Lambda); local runs,
 *   benches and tests set it.
 */
export type Setter = "always" | "when-set" | "never";

export interface EnvVar<T, S extends Setter = Setter> {
  readonly name: string;
  /** What it holds, for docs/contracts.md and for errors. */
  readonly meaning: string;
  readonly setter: S;
  /** The value a reader gets when it is unset, as docs show it; undefined when required or optional without one. */
  readonly shownDefault?: string;
  /** True for free-form strings: the writer passes them through untouched (they may be deferred, e.g. Pulumi Outputs). */
  readonly isText: boolean;
  read(env: Env): T;
  /** The string the program writes; unused for text variables. */
  format(value: NonNullable<T>): string;
}

/** A named set of variables: one function's environment, or a part several functions share. */
export type EnvSchema = Readonly<Record<string, EnvVar<unknown>>>;

interface VarOptions<S extends Setter> {
  /** Default `always`. */
  setter?: S;
}

function setterOf<S extends Setter>(options: VarOptions<S>): S {
  return (options.setter ?? "always") as S;
}

/** A required string. */
export function text<S extends Setter = "always">(
  name: string,
  meaning: string,
  options: VarOptions<S> & { check?: (value: string) => string | undefined } = {},
): EnvVar<string, NoInfer<S>> {
  return {
    name,
    meaning,
    setter: setterOf(options),
    isText: true,
    read: (env) => {
      const value = requiredString(env, name, meaning);
      const problem = options.check?.(value);
      if (problem !== undefined) throw new EnvVarError(name, value, problem);
      return value;
    },
    format: (value) => value,
  };
}

/** A string that may be unset (`fallback` when given). */
export function optionalText<S extends Setter = "always">(
  name: string,
  meaning: string,
  options: VarOptions<S> & { fallback?: string; check?: (value: string) => string | undefined } = {},
): EnvVar<string | undefined, NoInfer<S>> {
  return {
    name,
    meaning,
    setter: setterOf(options),
    ...(options.fallback !== undefined ? { shownDefault: options.fallback } : {}),
    isText: true,
    read: (env) => {
      const value = optionalString(env, name) ?? options.fallback;
      if (value === undefined) return undefined;
      const problem = options.check?.(value);
      if (problem !== undefined) throw new EnvVarError(name, value, problem);
      return value;
    },
    format: (value) => value,
  };
}

/** The same variable, for a reader that can do without it. */
export function optional<S extends Setter>(v: EnvVar<string, S>, meaning = v.meaning): EnvVar<string | undefined, NoInfer<S>> {
  return { ...v, meaning, read: (env) => (optionalString(env, v.name) === undefined ? undefined : v.read(env)) };
}

/** A non-text variable with a default shown as String(fallback): the shape wholeNumber, share and flag share. */
function scalar<T extends number | boolean, S extends Setter>(
  name: string,
  meaning: string,
  fallback: T,
  read: (env: Env) => T,
  options: VarOptions<S>,
): EnvVar<T, NoInfer<S>> {
  return { name, meaning, setter: setterOf(options), shownDefault: String(fallback), isText: false, read, format: String };
}

export function wholeNumber<S extends Setter = "always">(
  name: string,
  meaning: string,
  fallback: number,
  range: IntegerRange,
  options: VarOptions<S> = {},
): EnvVar<number, NoInfer<S>> {
  return scalar(name, meaning, fallback, (env) => integer(env, name, fallback, range), options);
}

export function share<S extends Setter = "always">(name: string, meaning: string, fallback: number, options: VarOptions<S> = {}): EnvVar<number, NoInfer<S>> {
  return scalar(name, meaning, fallback, (env) => fraction(env, name, fallback), options);
}

export function flag<S extends Setter = "always">(name: string, meaning: string, fallback: boolean, options: VarOptions<S> = {}): EnvVar<boolean, NoInfer<S>> {
  return scalar(name, meaning, fallback, (env) => booleanFlag(env, name, fallback), options);
}

export function choice<T extends string, S extends Setter = "always">(
  name: string,
  meaning: string,
  allowed: readonly T[],
  fallback: T,
  options: VarOptions<S> = {},
): EnvVar<T, NoInfer<S>> {
  return {
    name,
    meaning,
    setter: setterOf(options),
    shownDefault: fallback,
    isText: false,
    read: (env) => oneOf(env, name, allowed, fallback),
    format: (value) => value,
  };
}

/** Any other form: `parse` gets the trimmed value (undefined when unset) and throws EnvVarError on a bad one. */
export function custom<T, S extends Setter = "always">(
  name: string,
  meaning: string,
  parse: (value: string | undefined, name: string) => T,
  format: (value: NonNullable<T>) => string,
  options: VarOptions<S> & { shownDefault?: string } = {},
): EnvVar<T, NoInfer<S>> {
  return {
    name,
    meaning,
    setter: setterOf(options),
    ...(options.shownDefault !== undefined ? { shownDefault: options.shownDefault } : {}),
    isText: false,
    read: (env) => parse(optionalString(env, name), name),
    format,
  };
}

/** What `readEnvironment` returns for a schema. */
export type EnvValues<S extends EnvSchema> = { -readonly [K in keyof S]: ReturnType<S[K]["read"]> };

type WrittenValue<V, Deferred> = V extends EnvVar<infer T, Setter> ? (NonNullable<T> extends string ? NonNullable<T> | Deferred : NonNullable<T>) : never;
type KeysSetBy<S extends EnvSchema, Which extends Setter> = { [K in keyof S]: S[K]["setter"] extends Which ? K : never }[keyof S];

/**
 * What the program passes to `writeEnvironment`: every `always` variable, any
 * `when-set` one, no `never` one. String values may be `Deferred` (the
 * program's Input type); the others are plain values, formatted here.
 */
export type EnvWrite<S extends EnvSchema, Deferred = never> = { [K in KeysSetBy<S, "always">]: WrittenValue<S[K], Deferred> } & {
  [K in KeysSetBy<S, "when-set">]?: WrittenValue<S[K], Deferred>;
};

/** Reads every variable of the schema; the first bad one throws EnvVarError naming it. */
export function readEnvironment<S extends EnvSchema>(schema: S, env: Env): EnvValues<S> {
  const out = {} as Record<string, unknown>;
  for (const [key, v] of Object.entries(schema)) out[key] = v.read(env);
  return out as EnvValues<S>;
}

/**
 * The program's side: the variables' names and string values. String values
 * pass through as they are (a Pulumi Output stays an Output); the others are
 * formatted the way the reader parses them.
 */
export function writeEnvironment<S extends EnvSchema, Deferred = never>(schema: S, values: EnvWrite<S, Deferred>): Record<string, string | Deferred> {
  const out: Record<string, string | Deferred> = {};
  const given = values as Record<string, unknown>;
  for (const [key, v] of Object.entries(schema)) {
    const value = given[key];
    if (v.setter === "never") {
      if (value !== undefined) throw new Error(`${v.name} is not deployed (its default holds on Lambda); the program does not write it`);
      continue;
    }
    if (value === undefined) {
      if (v.setter === "always") throw new Error(`the program must write ${v.name} (${v.meaning})`);
      continue;
    }
    out[v.name] = v.isText ? (value as string | Deferred) : v.format(value as never);
  }
  for (const key of Object.keys(given)) if (!(key in schema)) throw new Error(`${key} is not a variable of this environment`);
  return out;
}

/**
 * A subset of the variables, for a process that stands in for the function
 * (the local pipeline, benches): any variable, undeployed ones included.
 */
export function writeSomeEnvironment<S extends EnvSchema>(
  schema: S,
  values: { [K in keyof S]?: NonNullable<ReturnType<S[K]["read"]>> },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    const v = schema[key];
    if (v === undefined) throw new Error(`${key} is not a variable of this environment`);
    if (value !== undefined) out[v.name] = v.isText ? String(value) : v.format(value as never);
  }
  return out;
}
