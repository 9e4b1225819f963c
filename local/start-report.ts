// What `npm start` prints: a line per uploaded image and a summary. Pure.
import type { StoredImageRow } from "../handlers/shared/images-table";

export type ImageStatus = "ok" | "failed" | "dlq" | "missing";

export interface ImageResult {
  file: string;
  key: string;
  correlationId: string;
  status: ImageStatus;
  reason?: string;
  rowId?: string;
  input?: string;
  outputs?: string;
  inputBytes?: number;
  outputBytes?: number;
  /** Upload to row, end to end. */
  ms?: number;
}

export function imageResult(
  upload: { file: string; key: string; correlationId: string; uploadedAt: number },
  row: StoredImageRow | undefined,
  inDlq: boolean,
): ImageResult {
  const base = { file: upload.file, key: upload.key, correlationId: upload.correlationId };
  if (!row)
    return { ...base, status: inDlq ? "dlq" : "missing", ...(inDlq ? { reason: "dead-lettered after retries" } : { reason: "no row before the timeout" }) };
  const result: ImageResult = { ...base, status: row.status, rowId: row.id, ms: Math.max(0, row.createdAt.getTime() - upload.uploadedAt) };
  if (row.status === "failed") result.reason = row.failureDetail ? `${row.failureReason}: ${row.failureDetail}` : row.failureReason;
  else {
    result.input = `${row.inputWidth}x${row.inputHeight}`;
    if (row.outputs.length > 0) result.outputs = row.outputs.map((o) => `${o.name} ${o.width}x${o.height} ${o.format}`).join(", ");
    result.outputBytes = row.outputBytes;
  }
  if (row.inputBytes !== undefined) result.inputBytes = row.inputBytes;
  return result;
}

export interface Summary {
  images: number;
  ok: number;
  failedByReason: Record<string, number>;
  inDlq: number;
  missing: number;
  canary: "passed" | "failed" | "skipped";
}

export function summarize(results: readonly ImageResult[], canary: Summary["canary"]): Summary {
  const summary: Summary = { images: results.length, ok: 0, failedByReason: {}, inDlq: 0, missing: 0, canary };
  for (const r of results) {
    if (r.status === "ok") summary.ok++;
    else if (r.status === "dlq") summary.inDlq++;
    else if (r.status === "missing") summary.missing++;
    else {
      const reason = (r.reason ?? "unknown").split(":")[0];
      summary.failedByReason[reason] = (summary.failedByReason[reason] ?? 0) + 1;
    }
  }
  return summary;
}

/** Every upload accounted for (ok, failed with a reason, or dead-lettered) and the canary passed. */
export function succeeded(summary: Summary): boolean {
  return summary.missing === 0 && summary.canary !== "failed";
}

const COLUMNS: { title: string; value: (r: ImageResult) => string; max: number }[] = [
  { title: "file", value: (r) => r.file, max: 40 },
  { title: "status", value: (r) => r.status, max: 7 },
  { title: "input", value: (r) => r.input ?? "", max: 11 },
  { title: "outputs", value: (r) => r.outputs ?? "", max: 48 },
  { title: "bytes in/out", value: (r) => (r.inputBytes !== undefined ? `${r.inputBytes}/${r.outputBytes ?? 0}` : ""), max: 18 },
  { title: "ms", value: (r) => (r.ms !== undefined ? String(r.ms) : ""), max: 7 },
  { title: "row id", value: (r) => r.rowId ?? "", max: 36 },
  { title: "reason", value: (r) => r.reason ?? "", max: 60 },
];

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function formatTable(results: readonly ImageResult[]): string {
  const cells = results.map((r) => COLUMNS.map((c) => cut(c.value(r), c.max)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(COLUMNS.map((c) => c.title)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

export function formatSummary(summary: Summary): string {
  const failed = Object.entries(summary.failedByReason)
    .sort()
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  return [
    `images: ${summary.images}`,
    `ok: ${summary.ok}`,
    `failed: ${Object.values(summary.failedByReason).reduce((a, b) => a + b, 0)}${failed ? ` (${failed})` : ""}`,
    `in DLQ: ${summary.inDlq}`,
    ...(summary.missing > 0 ? [`MISSING: ${summary.missing}`] : []),
    `canary: ${summary.canary}`,
  ].join(" | ");
}
