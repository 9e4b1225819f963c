// Flag parsers every command line of the project shares (pipectl, npm start,
// the benches, the toolchain), as commander argParsers: commander names the
// option and the value in its message, and the CLI exits 2 (cli/exit-codes.ts).
import { InvalidArgumentError } from "commander";

/** A whole number above 0. */
export function wholeNumberAbove0(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError("expected a whole number above 0.");
  return parsed;
}

/** A number of seconds, 0 or more (fractions allowed). */
export function secondsAtLeast0(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError("expected a number of seconds, 0 or more.");
  return parsed;
}

/** A number of seconds above 0. */
export function secondsAbove0(value: string): number {
  const parsed = secondsAtLeast0(value);
  if (parsed === 0) throw new InvalidArgumentError("expected a number of seconds above 0.");
  return parsed;
}

/**
 * A commander argParser from a reader the project already has (an
 * environment reader, a config parser), so a flag and the variable it
 * stands for accept exactly the same values.
 */
export function parsedBy<T>(read: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return read(value);
    } catch (err) {
      const expected = (err as { expected?: unknown }).expected;
      throw new InvalidArgumentError(typeof expected === "string" ? `expected ${expected}.` : (err as Error).message);
    }
  };
}

/** An instant in ISO 8601, such as 2026-01-31T12:00:00Z. */
export function isoInstant(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError("expected an ISO 8601 instant such as 2026-01-31T12:00:00Z.");
  return value;
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
