// Flag parsing shared by every command line of the project (pipectl, npm start,
// the benches): one wording for one mistake, naming the flag and the value.
import { InvalidArgumentError } from "commander";

/** A whole number above 0, or an error naming the flag and what was given. */
export function wholeNumberAbove0(value: string, flag: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new Error(`${flag} must be a whole number above 0, got "${value}"`);
  }
  return parsed;
}

/** The same rule as a commander argument parser (commander adds the flag to its message). */
export function wholeNumberAbove0Option(value: string): number {
  try {
    return wholeNumberAbove0(value, "the value");
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
