// Result events: every terminal outcome of an upload (ok, or failed with its
// reason) announced on the region's EventBridge bus, so the calling service
// hears without polling (M16). Sent only from committed rows (rowsOwedEvents),
// marked sent only after the bus took them; anything else stays owed and is
// sent again later. At least once: a duplicate is possible, a loss is not.
import type { Logger } from "./logger";
import { markEventsPublished, recordEventFailures, rowsOwedEvents, type Queryable, type RowOwedEvent } from "./images-table";

export const RESULT_EVENT_SOURCE = "thumbnail-pipeline";
export const RESULT_DETAIL_TYPES = { ok: "Thumbnails Ready", failed: "Thumbnails Failed" } as const;
/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

export interface ResultDetail {
  /** The API's image id; null for uploads that did not come through the API (batch, canary). */
  imageId: string | null;
  correlationId: string;
  transactionId: string;
  status: "ok" | "failed";
  reason: string | null;
  detail: string | null;
  original: { bucket: string; key: string; versionId: string | null };
  thumbnails: { name: string; format: string; width: number; height: number; url: string }[];
  completedAt: string;
}

export interface ResultEvent {
  rowId: string;
  detailType: (typeof RESULT_DETAIL_TYPES)[keyof typeof RESULT_DETAIL_TYPES];
  detail: ResultDetail;
}

export function resultEventOf(row: RowOwedEvent): ResultEvent {
  const common = {
    imageId: row.imageId ?? null,
    correlationId: row.correlationId,
    transactionId: row.transactionId,
    original: { bucket: row.rawBucket, key: row.rawKey, versionId: row.rawVersionId ?? null },
    completedAt: row.createdAt.toISOString(),
  };
  if (row.status === "ok") {
    const thumbnails = row.outputs.map((o) => ({ name: o.name, format: o.format, width: o.width, height: o.height, url: o.url }));
    return { rowId: row.id, detailType: RESULT_DETAIL_TYPES.ok, detail: { ...common, status: "ok", reason: null, detail: null, thumbnails } };
  }
  return {
    rowId: row.id,
    detailType: RESULT_DETAIL_TYPES.failed,
    detail: { ...common, status: "failed", reason: row.failureReason, detail: row.failureDetail, thumbnails: [] },
  };
}

/** Sends events; answers, per event in order, undefined when the bus took it or why it did not. */
export type EventSink = (events: readonly ResultEvent[]) => Promise<(string | undefined)[]>;

export interface PublishSummary {
  published: number;
  failed: number;
}

/**
 * Sends up to `limit` owed events and records what became of each. Never
 * throws for a refused or failed send (the rows stay owed); a database error
 * does throw, and the caller decides whether that matters.
 */
export async function publishOwedEvents(db: Queryable, sink: EventSink, options: { limit: number; logger?: Logger }): Promise<PublishSummary> {
  const rows = await rowsOwedEvents(db, options.limit);
  const summary: PublishSummary = { published: 0, failed: 0 };
  for (let start = 0; start < rows.length; start += PUT_EVENTS_MAX_ENTRIES) {
    const events = rows.slice(start, start + PUT_EVENTS_MAX_ENTRIES).map(resultEventOf);
    let errors: (string | undefined)[];
    try {
      errors = await sink(events);
    } catch (error) {
      errors = events.map(() => (error instanceof Error ? error.message : String(error)));
    }
    const sent = events.filter((_, i) => errors[i] === undefined).map((e) => e.rowId);
    const failures = events.flatMap((e, i) => (errors[i] === undefined ? [] : [{ id: e.rowId, error: errors[i] as string }]));
    await markEventsPublished(db, sent);
    await recordEventFailures(db, failures);
    summary.published += sent.length;
    summary.failed += failures.length;
    if (failures.length > 0)
      options.logger?.warn("result events not accepted; they stay owed and are sent again", { failed: failures.length, firstError: failures[0].error });
  }
  return summary;
}
