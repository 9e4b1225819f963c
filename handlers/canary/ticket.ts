// A failed canary run as a ticket request: the failing step, timings per
// step, region, keys and the last error. One open ticket per region and step.
import { ticketRequest, type TicketRequest } from "../ticket-opener/ticket-request";
import type { CanaryResult, CanaryStep } from "./check";

const WHAT_IT_MEANS: Record<CanaryStep, string> = {
  "raw-put": "The canary could not upload to the raw bucket: check the bucket, its policy and the canary's role (s3:PutObject on the canary prefix).",
  "raw-visible": "The upload succeeded but the object cannot be read back: check the raw bucket's policy and the canary's s3:GetObject.",
  row: "No images row (status ok) arrived in time: look at the raw-events queue (age of oldest, DLQ), the thumbnail function's errors and the database.",
  thumbnails: "The row exists but thumbnails are missing or wrong: check the thumbnail function's writes to the thumbnails bucket.",
  cleanup: "The pipeline worked, but the canary could not remove what it wrote: check its s3:DeleteObject and DELETE rights.",
};

export function canaryTicket(result: CanaryResult): TicketRequest | undefined {
  const step: CanaryStep | undefined = result.failedStep ?? (result.cleanup.ok ? undefined : "cleanup");
  if (step === undefined) return undefined;
  const error = result.failedStep !== undefined ? result.lastError : result.cleanup.errors.join("; ");
  const timings = result.steps.map((s) => `  ${s.step}: ${s.ms} ms ${s.ok ? "ok" : `FAILED${s.error ? ` (${s.error})` : ""}`}`);
  return ticketRequest({
    dedupeKey: `canary:${result.region}:${step}`,
    source: "canary",
    region: result.region,
    summary: `Canary failed at step ${step} in ${result.region}`,
    description: [
      WHAT_IT_MEANS[step],
      `Last error: ${error ?? "none recorded"}`,
      "Timings per step:",
      ...timings,
      `Raw object: s3://${result.rawBucket}/${result.rawKey}`,
      `Thumbnails: ${result.thumbnailKeys.length > 0 ? result.thumbnailKeys.map((k) => `s3://${result.thumbnailsBucket}/${k}`).join(", ") : "not known (no row)"}`,
      `Correlation id: ${result.correlationId}; transaction id: ${result.transactionId ?? "unknown"}`,
    ].join("\n"),
    details: {
      step,
      lastError: error ?? null,
      steps: result.steps,
      rawBucket: result.rawBucket,
      rawKey: result.rawKey,
      thumbnailsBucket: result.thumbnailsBucket,
      thumbnailKeys: result.thumbnailKeys,
      correlationId: result.correlationId,
      transactionId: result.transactionId ?? null,
    },
  });
}
