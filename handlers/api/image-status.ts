// GET /images/{imageId}: what became of one issued upload, from its uploads
// record, the images row of its key (if any) and whether its object arrived.
// Pure: the handler fetches, this decides.
import type { StoredImageRow } from "../shared/images-table";
import type { StoredUpload } from "./uploads-table";

export const IMAGE_STATUSES = ["pending", "processing", "ok", "failed"] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export interface ThumbnailLink {
  name: string;
  format: string;
  width: number;
  height: number;
  url: string;
}

export interface StatusBody {
  imageId: string;
  status: ImageStatus;
  /** Machine-readable failure reason (failed only), e.g. unsupported-format. */
  reason: string | null;
  /** In words: what is happening, or why it failed. */
  detail: string;
  thumbnails: ThumbnailLink[];
  correlationId: string;
  timings: {
    issuedAt: string;
    uploadExpiresAt: string;
    completedAt: string | null;
    /** Milliseconds per stage of the thumbnail function (lookup, download, decode, resize, encode, upload). */
    stagesMs: Record<string, number>;
  };
}

export function imageStatus(upload: StoredUpload, row: StoredImageRow | undefined, objectArrived: boolean, now: Date): StatusBody {
  const timings = {
    issuedAt: upload.createdAt.toISOString(),
    uploadExpiresAt: upload.expiresAt.toISOString(),
    completedAt: row ? row.createdAt.toISOString() : null,
    stagesMs: row ? { ...row.stageTimings } : {},
  };
  const common = { imageId: upload.imageId, correlationId: row?.correlationId ?? upload.correlationId, timings };
  if (row?.status === "ok") {
    const thumbnails = row.outputs.map((o) => ({ name: o.name, format: o.format, width: o.width, height: o.height, url: o.url }));
    return { ...common, status: "ok", reason: null, detail: `${thumbnails.length} thumbnail(s) ready`, thumbnails };
  }
  if (row?.status === "failed") {
    return { ...common, status: "failed", reason: row.failureReason, detail: row.failureDetail || row.failureReason, thumbnails: [] };
  }
  if (objectArrived) return { ...common, status: "processing", reason: null, detail: "the file arrived; thumbnails are being made", thumbnails: [] };
  const detail =
    now.getTime() > upload.expiresAt.getTime()
      ? `no file arrived before the upload form expired at ${timings.uploadExpiresAt}; create a new upload`
      : `waiting for the file: post it with the upload form before ${timings.uploadExpiresAt}`;
  return { ...common, status: "pending", reason: null, detail, thumbnails: [] };
}

/** Pollers may keep a terminal answer a while; an open one must be revalidated (cheap: ETag, 304). */
export function cacheControlFor(status: ImageStatus): string {
  return status === "ok" || status === "failed" ? "private, max-age=60" : "private, no-cache";
}
