// The synthetic upload: put a known image under the canary prefix, wait for
// its row and every configured thumbnail, clean up, and say which step failed.
// Everything it touches is injected (S3 client, row access, clock), so the
// Lambda handler, the local pipeline (`npm start`, `pipectl canary --local`)
// and the tests run the same check.
import { randomUUID } from "node:crypto";
import { DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { thumbnailKey, transactionIdFor } from "../thumbnails/identity";
import { CONTENT_TYPES } from "../thumbnails/image/config";
import type { ThumbnailSpec } from "../thumbnails/image/types";
import { canaryJpeg } from "./canary-image";

/** The steps in order; the failing one names the ticket (`canary:<region>:<step>`). */
export const CANARY_STEPS = ["raw-put", "raw-visible", "row", "thumbnails", "cleanup"] as const;
export type CanaryStep = (typeof CANARY_STEPS)[number];

export interface CanaryRowLookup {
  bucket: string;
  key: string;
  correlationId: string;
}

/** What the canary needs to know about the row the pipeline wrote. */
export interface CanaryRow {
  transactionId: string;
  status: "ok" | "failed";
  /** `reason: detail` when the pipeline recorded a failure. */
  failure?: string | undefined;
  correlationId?: string;
}

export interface CanaryDeps {
  s3: S3Client;
  rawBucket: string;
  thumbnailsBucket: string;
  /** Key prefix for everything the canary writes, e.g. `canary/`. */
  prefix: string;
  /** How long the pipeline gets from upload to the last thumbnail and the row. */
  timeoutMs: number;
  /** Every size x format the thumbnail function makes. */
  specs: readonly ThumbnailSpec[];
  region: string;
  findRow(lookup: CanaryRowLookup): Promise<CanaryRow | undefined>;
  /** Removes the canary's row after a run; omit to keep rows. */
  deleteRow?(lookup: CanaryRowLookup): Promise<void>;
  /** Milliseconds; `performance.now`-like. */
  now?(): number;
  sleep?(ms: number): Promise<void>;
  newId?(): string;
}

export interface CanaryStepTiming {
  step: CanaryStep;
  ms: number;
  ok: boolean;
  error?: string;
}

export interface CanaryResult {
  /** Upload, row and every thumbnail arrived in time (cleanup is reported apart). */
  ok: boolean;
  failedStep: CanaryStep | undefined;
  lastError: string | undefined;
  /** Upload to the last thumbnail and the row; undefined when the check failed. */
  latencyMs: number | undefined;
  steps: CanaryStepTiming[];
  region: string;
  correlationId: string;
  rawBucket: string;
  rawKey: string;
  thumbnailsBucket: string;
  thumbnailKeys: string[];
  transactionId: string | undefined;
  cleanup: { ok: boolean; errors: string[] };
}

class StepFailure extends Error {
  constructor(
    readonly step: CanaryStep,
    message: string,
  ) {
    super(message);
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

const message = (err: unknown) => (err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err));

export async function runCanaryCheck(deps: CanaryDeps): Promise<CanaryResult> {
  const now = deps.now ?? (() => performance.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const id = (deps.newId ?? randomUUID)();
  const correlationId = `canary-${id}`;
  // A folder per run: the thumbnail function keeps the raw key's folder, so
  // everything this run causes lands under it and cleanup can find it all,
  // even when no row ever told the transaction id.
  const runFolder = `${deps.prefix}${new Date().toISOString().slice(0, 10)}/${id}/`;
  const rawKey = `${runFolder}canary.jpg`;
  const lookup: CanaryRowLookup = { bucket: deps.rawBucket, key: rawKey, correlationId };
  const steps: CanaryStepTiming[] = [];
  const started = now();
  const deadline = started + deps.timeoutMs;
  let thumbnailKeys: string[] = [];
  let transactionId: string | undefined;
  let versionId: string | undefined;

  const step = async <T>(name: CanaryStep, run: () => Promise<T>): Promise<T> => {
    const t0 = now();
    try {
      const value = await run();
      steps.push({ step: name, ms: Math.round(now() - t0), ok: true });
      return value;
    } catch (err) {
      const error = err instanceof StepFailure ? err.message : message(err);
      steps.push({ step: name, ms: Math.round(now() - t0), ok: false, error });
      throw new StepFailure(name, error);
    }
  };

  /** Polls `probe` with backoff until it answers, or fails the step at the deadline. */
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    let delay = 200;
    let lastProblem = "";
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (err) {
        if (err instanceof StepFailure) throw err;
        lastProblem = ` (last error: ${message(err)})`;
      }
      const left = deadline - now();
      if (left <= 0) throw new Error(`${what} did not appear within ${seconds(deps.timeoutMs)}${lastProblem}`);
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 1.6, 5_000);
    }
  };

  let failedStep: CanaryStep | undefined;
  let lastError: string | undefined;
  let latencyMs: number | undefined;
  try {
    await step("raw-put", async () => {
      const out = await deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.rawBucket,
          Key: rawKey,
          Body: canaryJpeg(),
          ContentType: "image/jpeg",
          Metadata: { "correlation-id": correlationId },
        }),
      );
      versionId = out.VersionId;
    });
    await step("raw-visible", () =>
      waitFor(`raw object s3://${deps.rawBucket}/${rawKey}`, async () => ((await headOrUndefined(deps.s3, deps.rawBucket, rawKey)) ? true : undefined)),
    );
    const row = await step("row", async () => {
      const found = await waitFor(`the images row for ${rawKey}`, async () => {
        const candidate = await deps.findRow(lookup);
        if (candidate !== undefined) transactionId = candidate.transactionId;
        if (candidate?.status === "failed") throw new StepFailure("row", `the pipeline recorded a failure: ${candidate.failure ?? "no reason given"}`);
        return candidate;
      });
      // With a versioned raw bucket the id is known up front: check the pipeline derived the same one.
      if (versionId !== undefined && versionId !== "null") {
        const expected = transactionIdFor({ bucket: deps.rawBucket, key: rawKey, versionId });
        if (expected !== found.transactionId) {
          throw new StepFailure("row", `row has transaction id ${found.transactionId}, expected ${expected} for version ${versionId}`);
        }
      }
      return found;
    });
    transactionId = row.transactionId;
    await step("thumbnails", async () => {
      // Where the thumbnail function puts them, by its own derivation.
      thumbnailKeys = deps.specs.map((s) => thumbnailKey(rawKey, row.transactionId, s.name, s.format));
      const missing = new Set(deps.specs.map((_, i) => i));
      await waitFor("every configured thumbnail", async () => {
        for (const i of [...missing]) {
          const head = await headOrUndefined(deps.s3, deps.thumbnailsBucket, thumbnailKeys[i]);
          if (head === undefined) continue;
          const expectedType = CONTENT_TYPES[deps.specs[i].format];
          if (head.contentType !== expectedType) {
            throw new StepFailure("thumbnails", `${thumbnailKeys[i]} has Content-Type ${head.contentType ?? "none"}, expected ${expectedType}`);
          }
          missing.delete(i);
        }
        return missing.size === 0 ? true : undefined;
      }).catch((err: unknown) => {
        if (err instanceof StepFailure) throw err;
        throw new Error(`${message(err)}; missing: ${[...missing].map((i) => thumbnailKeys[i]).join(", ")}`);
      });
    });
    latencyMs = Math.round(now() - started);
  } catch (err) {
    // Every step wraps its errors; anything else is a bug in this file and must surface.
    if (!(err instanceof StepFailure)) throw err;
    failedStep = err.step;
    lastError = err.message;
  }

  const cleanup = await cleanUp(deps, lookup, versionId, runFolder, thumbnailKeys, transactionId !== undefined, now, steps);
  return {
    ok: failedStep === undefined,
    failedStep,
    lastError,
    latencyMs,
    steps,
    region: deps.region,
    correlationId,
    rawBucket: deps.rawBucket,
    rawKey,
    thumbnailsBucket: deps.thumbnailsBucket,
    thumbnailKeys,
    transactionId,
    cleanup,
  };
}

/** Removes what this run wrote, whatever happened before; failures are reported, not thrown. */
async function cleanUp(
  deps: CanaryDeps,
  lookup: CanaryRowLookup,
  versionId: string | undefined,
  runFolder: string,
  thumbnailKeys: string[],
  rowSeen: boolean,
  now: () => number,
  steps: CanaryStepTiming[],
): Promise<{ ok: boolean; errors: string[] }> {
  const t0 = now();
  const errors: string[] = [];
  const deleteKeys = async (bucket: string, objects: { Key: string; VersionId?: string }[]) => {
    if (objects.length === 0) return;
    try {
      const out = await deps.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
      for (const e of out.Errors ?? []) errors.push(`s3://${bucket}/${e.Key ?? "?"}: ${e.Code ?? ""} ${e.Message ?? ""}`.trim());
    } catch (err) {
      errors.push(`s3://${bucket}: ${message(err)}`);
    }
  };
  // The raw version itself, so a versioned bucket keeps no canary versions behind a delete marker.
  await deleteKeys(deps.rawBucket, [{ Key: lookup.key, ...(versionId !== undefined && versionId !== "null" ? { VersionId: versionId } : {}) }]);
  let leftovers: string[] = [];
  try {
    const listed = await deps.s3.send(new ListObjectsV2Command({ Bucket: deps.thumbnailsBucket, Prefix: runFolder }));
    leftovers = (listed.Contents ?? []).flatMap((o) => (o.Key !== undefined ? [o.Key] : []));
  } catch (err) {
    errors.push(`listing s3://${deps.thumbnailsBucket}/${runFolder}: ${message(err)}`);
  }
  await deleteKeys(
    deps.thumbnailsBucket,
    [...new Set([...thumbnailKeys, ...leftovers])].map((Key) => ({ Key })),
  );
  if (rowSeen && deps.deleteRow) {
    try {
      await deps.deleteRow(lookup);
    } catch (err) {
      errors.push(`row of ${lookup.key}: ${message(err)}`);
    }
  }
  steps.push({ step: "cleanup", ms: Math.round(now() - t0), ok: errors.length === 0, ...(errors.length > 0 ? { error: errors.join("; ") } : {}) });
  return { ok: errors.length === 0, errors };
}

async function headOrUndefined(s3: S3Client, bucket: string, key: string): Promise<{ contentType: string | undefined } | undefined> {
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { contentType: out.ContentType };
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((err as { name?: string }).name === "NotFound" || status === 404) return undefined;
    throw err;
  }
}
