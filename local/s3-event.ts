// Builds S3 event notification bodies exactly as S3 puts them on an SQS queue,
// so the handler sees the same bytes locally as in AWS. Used by the local
// notification router and by `pipectl reprocess`.

import type { S3EventRecord } from "aws-lambda";
import { decodeNotificationKey } from "../handlers/thumbnails/events";

/** One object the notification is about. */
export interface S3ObjectRef {
  bucket: string;
  key: string;
  size?: number;
  /** Without the surrounding quotes S3 listings put around it. */
  eTag?: string;
  versionId?: string;
  sequencer?: string;
}

export interface S3EventOptions {
  region: string;
  eventName?: string;
  eventTime?: Date;
  /** The S3 notification configuration id; AWS puts the rule's id here. */
  configurationId?: string;
}

/**
 * Encodes a key as S3 does in event notifications: each path segment
 * percent-encoded, spaces as `+` (so a literal `+` arrives as `%2B`).
 */
export function encodeS3EventKey(key: string): string {
  return key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, "+"))
    .join("/");
}

/** The inverse of `encodeS3EventKey`: the handler's own decoding, so the local tools read keys exactly as the function does. */
export function decodeS3EventKey(encoded: string): string {
  const key = decodeNotificationKey(encoded);
  if (key === undefined) throw new Error(`${JSON.stringify(encoded)} is not a key as S3 encodes it in notifications (invalid escape)`);
  return key;
}

/** Listings quote ETags (`"abc"`); notifications do not. */
export function unquoteETag(eTag: string | undefined): string | undefined {
  return eTag?.replace(/^"+|"+$/g, "");
}

/** S3 sequencers are upper-case hex; s3rver gives a millisecond clock instead. */
export function toSequencer(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value.toString(16).toUpperCase();
  return value;
}

/**
 * A record as S3 sends it (@types/aws-lambda's S3EventRecord), where what a
 * listing may not know is optional: reprocess rebuilds notifications from
 * ListObjectVersions, which gives no sequencer, and no request ids exist.
 */
export type S3NotificationRecord = Omit<S3EventRecord, "responseElements" | "s3"> & {
  responseElements: Partial<S3EventRecord["responseElements"]>;
  s3: Omit<S3EventRecord["s3"], "object"> & { object: Pick<S3EventRecord["s3"]["object"], "key"> & Partial<Omit<S3EventRecord["s3"]["object"], "key">> };
};

export interface S3NotificationBody {
  Records: S3NotificationRecord[];
}

export function s3EventRecord(ref: S3ObjectRef, options: S3EventOptions): S3NotificationRecord {
  const object: S3NotificationRecord["s3"]["object"] = { key: encodeS3EventKey(ref.key) };
  if (ref.size !== undefined) object.size = ref.size;
  if (ref.eTag !== undefined) object.eTag = ref.eTag;
  if (ref.versionId !== undefined) object.versionId = ref.versionId;
  if (ref.sequencer !== undefined) object.sequencer = ref.sequencer;
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: options.region,
    eventTime: (options.eventTime ?? new Date()).toISOString(),
    eventName: options.eventName ?? "ObjectCreated:Put",
    userIdentity: { principalId: "local" },
    requestParameters: { sourceIPAddress: "127.0.0.1" },
    responseElements: {},
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: options.configurationId ?? "raw-object-created",
      bucket: { name: ref.bucket, ownerIdentity: { principalId: "local" }, arn: `arn:aws:s3:::${ref.bucket}` },
      object,
    },
  };
}

/** The SQS message body S3 sends for one object. */
export function s3EventNotificationBody(ref: S3ObjectRef, options: S3EventOptions): string {
  const notification: S3NotificationBody = { Records: [s3EventRecord(ref, options)] };
  return JSON.stringify(notification);
}

/**
 * Reads the objects a message body names (an S3 event notification), or
 * undefined when the body is something else (a test event, garbage).
 */
export function objectsInBody(body: string | undefined): S3ObjectRef[] | undefined {
  if (body === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || !Array.isArray((parsed as { Records?: unknown }).Records)) {
    return undefined;
  }
  const refs: S3ObjectRef[] = [];
  for (const record of (parsed as { Records: unknown[] }).Records) {
    const s3 = (record as { s3?: { bucket?: { name?: unknown }; object?: { key?: unknown; eTag?: unknown; versionId?: unknown } } }).s3;
    if (typeof s3?.bucket?.name !== "string" || typeof s3.object?.key !== "string") continue;
    const ref: S3ObjectRef = { bucket: s3.bucket.name, key: decodeS3EventKey(s3.object.key) };
    if (typeof s3.object.eTag === "string") ref.eTag = s3.object.eTag;
    if (typeof s3.object.versionId === "string") ref.versionId = s3.object.versionId;
    refs.push(ref);
  }
  return refs;
}
