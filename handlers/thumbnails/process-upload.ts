// One upload, start to end: look up, download, render, upload, write the row.
// Every path ends in exactly one of: a row (ok or failed), a duplicate that
// changed nothing, or "retry" for the handler to hand back to SQS.
import type { S3Client } from "@aws-sdk/client-s3";
import { CORRELATION_ID_METADATA, isCorrelationId } from "../shared/correlation-id";
import type { Database } from "../shared/db";
import { errorFields, withKeys, type Logger } from "../shared/logger";
import type { ThumbnailHandlerConfig } from "./config";
import { decideFailure, StageError, type FailureReason, type Stage } from "./decide";
import type { ObjectCreated } from "./events";
import { goneTransactionIdFor, originalUrl, thumbnailKey, thumbnailUrl, transactionIdFor } from "./identity";
import { renderThumbnails, type ImageOutcome } from "./image";
import { findImage, findRowOfETag, insertImage, type ImageRow, type OutputRecord, type StageTimings } from "../shared/images-table";
import type { ThumbnailMetrics } from "./metrics";
import { downloadRawObject, headRawObject, putThumbnail, type Download } from "./s3-objects";

export interface UploadDeps {
  s3: S3Client;
  database: Database;
  config: ThumbnailHandlerConfig;
  metrics: ThumbnailMetrics;
  /** Milliseconds; performance.now by default. */
  now?: () => number;
}

export type UploadResult =
  | { kind: "ok"; transactionId: string; rowId: string }
  | { kind: "failed"; transactionId: string; reason: FailureReason }
  | { kind: "duplicate"; transactionId: string }
  | { kind: "retry"; transactionId: string; stage: Stage; detail: string; databaseUnavailable: boolean };

/** User metadata `correlation-id` set by the uploader; anything odd is ignored rather than logged verbatim. */
export function correlationIdFrom(metadata: Record<string, string>): string | undefined {
  const value = metadata[CORRELATION_ID_METADATA];
  return isCorrelationId(value) ? value : undefined;
}

function describeTooLarge(download: Extract<Download, { kind: "too-large" }>, maxBytes: number): string {
  return download.declaredBytes !== undefined
    ? `object is ${download.declaredBytes} bytes; the cap (MAX_INPUT_BYTES) is ${maxBytes}`
    : `more than ${maxBytes} bytes (MAX_INPUT_BYTES) arrived; stopped reading at ${download.readBytes}`;
}

/**
 * The upload's transaction id. Versioned: from the event's version. Unversioned:
 * from the object's own ETag and Last-Modified (a HEAD), so every event about
 * one upload agrees; `gone` when the object no longer holds the event's bytes.
 */
type Identified = { kind: "found"; transactionId: string } | { kind: "gone"; transactionId: string; reason: FailureReason; detail: string };

async function identify(s3: S3Client, object: ObjectCreated): Promise<Identified> {
  if (object.versionId !== undefined) return { kind: "found", transactionId: transactionIdFor(object) };
  try {
    const stamp = await headRawObject(s3, object);
    return {
      kind: "found",
      transactionId: transactionIdFor({ bucket: object.bucket, key: object.key, eTag: object.eTag ?? stamp.eTag, lastModified: stamp.lastModified }),
    };
  } catch (error) {
    const decision = decideFailure("identify", error);
    if (decision.kind === "transient") throw error;
    return { kind: "gone", transactionId: goneTransactionIdFor(object), reason: decision.reason, detail: decision.detail };
  }
}

export async function processUpload(deps: UploadDeps, object: ObjectCreated, parentLogger: Logger): Promise<UploadResult> {
  const { s3, database, config, metrics } = deps;
  const now = deps.now ?? (() => performance.now());
  let transactionId = "";
  const keyed = () => ({ bucket: object.bucket, key: object.key, versionId: object.versionId, ...(transactionId !== "" ? { transactionId } : {}) });
  let log = withKeys(parentLogger, keyed());
  let correlationId = transactionId;
  const timings: StageTimings = {};

  /** Runs one stage, records its duration, and tags a throw with the stage. */
  const timed = async <T>(stage: Stage, work: () => Promise<T>): Promise<T> => {
    const start = now();
    try {
      return await work();
    } catch (error) {
      throw new StageError(stage, error);
    } finally {
      const elapsed = Math.round(now() - start);
      if (stage === "lookup" || stage === "download" || stage === "upload") timings[stage] = elapsed;
      metrics.stage(stage, elapsed);
    }
  };

  const duplicate = (detectedBy: "lookup" | "insert", existingStatus?: string): UploadResult => {
    log.info("duplicate operation", { detectedBy, ...(existingStatus !== undefined ? { existingStatus } : {}) });
    metrics.duplicate();
    return { kind: "duplicate", transactionId };
  };

  const common = (inputBytes: number | undefined) => ({
    transactionId,
    correlationId,
    originalUrl: originalUrl(object.bucket, object.key),
    rawBucket: object.bucket,
    rawKey: object.key,
    rawVersionId: object.versionId,
    rawETag: object.eTag,
    inputBytes,
    stageTimings: timings,
  });

  /** A permanent failure: the row says why, and the message is done. */
  const refuse = async (reason: FailureReason, detail: string, inputBytes: number | undefined): Promise<UploadResult> => {
    const row: ImageRow = { ...common(inputBytes), status: "failed", failureReason: reason, failureDetail: detail };
    const written = await timed("write", () => insertImage(database, row));
    if (!written.inserted) return duplicate("insert");
    log.warn("upload refused", { reason, detail });
    metrics.failed(reason);
    return { kind: "failed", transactionId, reason };
  };

  try {
    const identity = await timed("identify", () => identify(s3, object));
    transactionId = identity.transactionId;
    correlationId = transactionId;
    log = withKeys(parentLogger, keyed());
    if (identity.kind === "gone") {
      // A late or repeated event of an upload that already has its row (under the id its
      // Last-Modified gave) is a duplicate, not a second, failed outcome of the same upload.
      const earlier = await timed("lookup", () => findRowOfETag(database, object));
      if (earlier !== undefined) return duplicate("lookup", earlier.status);
      return await refuse(identity.reason, identity.detail, undefined);
    }

    const existing = await timed("lookup", () => findImage(database, transactionId));
    if (existing !== undefined) return duplicate("lookup", existing.status);
    let download: Download;
    try {
      download = await timed("download", () => downloadRawObject(s3, object, config.limits.maxInputBytes));
    } catch (error) {
      const decision = decideFailure("download", error instanceof StageError ? error.original : error);
      if (decision.kind === "transient") throw error;
      return await refuse(decision.reason, decision.detail, undefined);
    }

    correlationId = correlationIdFrom(download.metadata) ?? transactionId;
    log = withKeys(parentLogger, { ...keyed(), correlationId });
    if (download.kind === "too-large") {
      return await refuse("too-large", describeTooLarge(download, config.limits.maxInputBytes), download.declaredBytes);
    }
    const input = download.data;

    const outcome: ImageOutcome = await timed("render", () => renderThumbnails(input, config.specs, config.limits));
    if (!outcome.ok) return await refuse(outcome.reason, outcome.detail, input.length);
    timings.decode = Math.round(outcome.timings.decodeMs);
    timings.resize = Math.round(outcome.timings.resizeMs);
    timings.encode = Math.round(outcome.timings.encodeMs);
    metrics.stage("decode", timings.decode);
    metrics.stage("resize", timings.resize);
    metrics.stage("encode", timings.encode);

    const outputs: OutputRecord[] = outcome.outputs.map((output) => {
      const key = thumbnailKey(object.key, transactionId, output.name, output.format);
      return {
        name: output.name,
        format: output.format,
        key,
        url: thumbnailUrl(config.thumbnailsBaseUrl, key),
        width: output.width,
        height: output.height,
        bytes: output.bytes,
      };
    });
    const objectMetadata = { "transaction-id": transactionId, "correlation-id": correlationId };
    await timed("upload", () =>
      Promise.all(
        outcome.outputs.map((output, index) =>
          putThumbnail(s3, config.thumbnailsBucket, { key: outputs[index].key, contentType: output.contentType, data: output.data }, objectMetadata),
        ),
      ),
    );

    const primary = config.specs[0]?.format;
    const primaryUrl = (name: string) => outputs.find((output) => output.name === name && output.format === primary)?.url;
    const outputBytes = outputs.reduce((sum, output) => sum + output.bytes, 0);
    const row: ImageRow = {
      ...common(input.length),
      status: "ok",
      thumbnailUrlSmall: primaryUrl("small"),
      thumbnailUrlMedium: primaryUrl("medium"),
      outputs,
      inputFormat: outcome.inputFormat,
      inputWidth: outcome.inputWidth,
      inputHeight: outcome.inputHeight,
      outputBytes,
    };
    const written = await timed("write", () => insertImage(database, row));
    if (!written.inserted) return duplicate("insert");
    log.info("thumbnails written", { rowId: written.id, outputs: outputs.length, inputBytes: input.length, outputBytes, stageTimings: timings });
    metrics.processed(input.length, outputBytes);
    return { kind: "ok", transactionId, rowId: written.id };
  } catch (error) {
    // Only transient failures reach here: permanent ones became rows above.
    const stage: Stage = error instanceof StageError ? error.stage : "render";
    const original = error instanceof StageError ? error.original : error;
    const decision = decideFailure(stage, original);
    const databaseUnavailable = decision.kind === "transient" && decision.databaseUnavailable;
    log.error("transient failure; the message goes back to the queue", { stage, databaseUnavailable, ...errorFields(original) });
    return { kind: "retry", transactionId, stage, detail: decision.detail, databaseUnavailable };
  }
}
