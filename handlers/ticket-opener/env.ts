// TEMPORARY until handlers/shared lands: env readers with errors that name the variable.
export type Env = Record<string, string | undefined>;

export function requiredString(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === "") throw new Error(`environment variable ${name} is required`);
  return v.trim();
}

export function optionalString(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

export function numberOr(env: Env, name: string, fallback: number, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) {
    throw new Error(`environment variable ${name} must be ${opts.integer ? "an integer" : "a number"}, got "${raw}"`);
  }
  if (opts.min !== undefined && n < opts.min) throw new Error(`environment variable ${name} must be at least ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new Error(`environment variable ${name} must be at most ${opts.max}, got ${n}`);
  return n;
}

export function booleanOr(env: Env, name: string, fallback: boolean): boolean {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new Error(`environment variable ${name} must be true or false, got "${raw}"`);
}
