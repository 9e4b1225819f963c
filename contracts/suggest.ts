// "Did you mean ...": the nearest allowed value to a mistyped one, so a typo
// in config is answered with the fix instead of "not allowed". The distance
// counts insertions, deletions, substitutions and a swap of two neighbouring
// characters (the commonest typo) as one edit each (optimal string alignment);
// case is ignored when measuring, so `info` finds `INFO`. Written here rather
// than taken from a library because this module has no dependencies: the
// program, the handlers and the tools all import it.

/** Edits from `a` to `b`: insert, delete, substitute, or swap two adjacent characters. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
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
    const count = editDistance(typed, candidate.toLowerCase());
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
