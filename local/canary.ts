// The canary check (handlers/canary) run once against a local pipeline: the
// same steps as in every region, with the local S3 client and database.
import { Pool } from "pg";
import { runCanaryCheck, type CanaryResult } from "../handlers/canary/check";
import { databaseRowFinder, databaseRowRemover } from "../handlers/canary/row-store";
import { thumbnailConfigFromEnv } from "../handlers/thumbnails/image";
import type { LocalPipeline } from "./pipeline";

export type { CanaryResult };

export const LOCAL_CANARY_PREFIX = "canary/";

export async function runLocalCanary(pipeline: LocalPipeline, timeoutMs = 60_000): Promise<CanaryResult> {
  const db = new Pool({ connectionString: pipeline.databaseUrl, max: 1, application_name: "canary" });
  try {
    return await runCanaryCheck({
      s3: pipeline.s3,
      rawBucket: pipeline.buckets.raw,
      thumbnailsBucket: pipeline.buckets.thumbnails,
      prefix: LOCAL_CANARY_PREFIX,
      timeoutMs,
      // The sizes and formats the local function makes, from the same environment.
      specs: thumbnailConfigFromEnv(pipeline.functionEnv).specs,
      region: pipeline.region,
      findRow: databaseRowFinder(db),
      deleteRow: databaseRowRemover(db, LOCAL_CANARY_PREFIX),
    });
  } finally {
    await db.end();
  }
}

export function formatCanary(result: CanaryResult): string {
  const lines = [
    `canary ${result.ok ? "passed" : `FAILED at ${result.failedStep ?? "?"}`}${result.latencyMs !== undefined ? ` in ${result.latencyMs} ms` : ""} (correlation id ${result.correlationId})`,
  ];
  for (const step of result.steps)
    lines.push(`  ${step.ok ? "ok  " : "FAIL"} ${step.step.padEnd(12)} ${String(step.ms).padStart(6)} ms${step.error ? `  ${step.error}` : ""}`);
  if (!result.cleanup.ok) lines.push(`  cleanup problems: ${result.cleanup.errors.join("; ")}`);
  return lines.join("\n");
}
