// "Did you mean ...": the nearest allowed value to a mistyped one, so a typo
// in config is answered with the fix instead of "not allowed". Edit distance
// from fastest-levenshtein, with a swap of two neighbouring characters (the
// commonest typo, two edits for Levenshtein) counted as one; case is ignored
// when measuring, so `info` finds `INFO`. Pure.
import { distance } from "fastest-levenshtein";

/** True when `a` becomes `b` by swapping one pair of adjacent characters. */
function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

function edits(a: string, b: string): number {
  return isAdjacentSwap(a, b) ? 1 : distance(a, b);
}

/**
 * The allowed value closest to `value`, when it is close enough to be a typo:
 * at most a third of the longer string's length away (at least one edit).
 * Undefined when nothing is that close, or `value` is itself allowed.
 */
export function nearestValue(value: string, allowed: readonly string[]): string | undefined {
  if (allowed.includes(value)) return undefined;
  const typed = value.toLowerCase();
  let best: { candidate: string; edits: number } | undefined;
  for (const candidate of allowed) {
    const count = edits(typed, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(typed.length, candidate.length) / 3));
    if (count <= limit && (best === undefined || count < best.edits)) best = { candidate, edits: count };
  }
  return best?.candidate;
}

/** `; did you mean "legal"?` or the empty string: appended to a refusal. */
export function didYouMean(value: unknown, allowed: readonly string[]): string {
  if (typeof value !== "string" && typeof value !== "number") return "";
  const nearest = nearestValue(String(value), allowed);
  return nearest === undefined ? "" : `; did you mean ${JSON.stringify(nearest)}?`;
}
