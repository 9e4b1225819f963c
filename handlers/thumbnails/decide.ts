// What a failure means for the message that carried it. Pure: the handler
// asks, these functions answer, no server involved.
//
// Permanent: the same bytes (or the same missing object) give the same answer
// on every retry, so the upload ends as a `failed` row with its reason and
// the message is acknowledged; retrying would only loop.
// Transient: anything else, including errors we do not recognise. The
// message goes back to SQS, is retried, and ends in the dead-letter queue if
// it never succeeds, where an operator looks. Unknown errors are transient on
// purpose: a wrong "transient" costs a few retries and a DLQ entry, a wrong
// "permanent" loses an image that could have been processed.
import { isConnectionError } from "../shared/db";
import type { RejectReason } from "./image";

/** Why an upload has no thumbnails: the image core's reasons, plus the object being gone. */
export type FailureReason = RejectReason | "object-gone";

export const FAILURE_REASONS: readonly FailureReason[] = ["empty", "too-large", "unsupported-format", "corrupt", "too-many-pixels", "object-gone"];

/** Where in the work an error happened; the same error means different things in different stages. */
export type Stage = "identify" | "lookup" | "download" | "render" | "upload" | "write";

export type Decision =
  | { kind: "permanent"; reason: FailureReason; detail: string }
  | {
      kind: "transient";
      detail: string;
      /** The database could not be reached: later records of the batch would fail the same way. */
      databaseUnavailable: boolean;
    };

/** An error tagged with the stage it came from. */
export class StageError extends Error {
  constructor(
    readonly stage: Stage,
    readonly original: unknown,
  ) {
    super(`${stage} failed: ${original instanceof Error ? original.message : String(original)}`, { cause: original });
    this.name = "StageError";
  }
}

interface AwsErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The S3 error code (NoSuchKey, SlowDown, ...) and HTTP status of an SDK error. */
export function s3ErrorFacts(error: unknown): { code: string | undefined; status: number | undefined } {
  const shape = (typeof error === "object" && error !== null ? error : {}) as AwsErrorShape;
  const code = [shape.Code, shape.name, shape.code].find((value): value is string => typeof value === "string" && value !== "Error");
  const status = typeof shape.$metadata?.httpStatusCode === "number" ? shape.$metadata.httpStatusCode : undefined;
  return { code, status };
}

/** The object (or the version the event announced) no longer exists: no retry brings it back. */
const OBJECT_GONE_CODES = new Set(["NoSuchKey", "NoSuchVersion", "NotFound", "PreconditionFailed"]);

function describe(error: unknown): string {
  const { code, status } = s3ErrorFacts(error);
  const message = error instanceof Error ? error.message : String(error);
  return [code, status !== undefined ? `HTTP ${status}` : undefined, message].filter((part) => part !== undefined && part !== "").join(": ");
}

export function decideFailure(stage: Stage, error: unknown): Decision {
  if (stage === "download" || stage === "identify") {
    const { code, status } = s3ErrorFacts(error);
    // 412: unversioned GETs carry If-Match with the event's eTag; a mismatch
    // means the key was overwritten and this event's bytes are gone.
    if ((code !== undefined && OBJECT_GONE_CODES.has(code)) || status === 404 || status === 412) {
      return { kind: "permanent", reason: "object-gone", detail: describe(error) };
    }
  }
  const databaseUnavailable = (stage === "lookup" || stage === "write") && isConnectionError(error);
  return { kind: "transient", detail: describe(error), databaseUnavailable };
}
