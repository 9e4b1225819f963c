// Parsing what invokes the thumbnail function: an SQS batch whose bodies are
// S3 event notifications (the deployed path), or an S3 event delivered
// directly. Pure: no I/O, every shape checked, nothing trusted.

/** One object an ObjectCreated notification announces, key already decoded. */
export interface ObjectCreated {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
  sequencer?: string;
  size?: number;
  eventName: string;
}

export type NotificationBody =
  /** The objects to make thumbnails of; `ignored` names records that are not ObjectCreated (e.g. removals). */
  | { kind: "objects"; objects: ObjectCreated[]; ignored: string[] }
  /** S3 sends `s3:TestEvent` once when a notification configuration is saved. */
  | { kind: "test-event" }
  /** Not an S3 notification at all: retrying cannot make it one. */
  | { kind: "malformed"; problem: string };

export interface QueuedMessage {
  messageId: string;
  /** For ChangeMessageVisibility: how a failed message is held back (contracts/retry-schedule.ts). */
  receiptHandle: string;
  body: NotificationBody;
  /** The body as received, cut short, for the log line of a malformed one. */
  excerpt: string;
  receiveCount: number;
}

export type Invocation = { kind: "sqs"; messages: QueuedMessage[] } | { kind: "s3"; body: NotificationBody } | { kind: "unknown"; problem: string };

/**
 * Decodes a key as S3 writes it into notifications: form-encoded, so `+` is a
 * space and a literal `+` arrives as `%2B`. Undefined for an invalid escape.
 */
export function decodeNotificationKey(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalText(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Reads one `Records[i]` entry; a string is the problem with it. */
function parseRecord(record: unknown, index: number): ObjectCreated | { ignored: string } | string {
  if (!isRecord(record)) return `Records[${index}] is not an object`;
  const eventName = record.eventName;
  if (typeof eventName !== "string") return `Records[${index}].eventName is missing`;
  const s3 = record.s3;
  if (!isRecord(s3) || !isRecord(s3.bucket) || !isRecord(s3.object)) return `Records[${index}].s3 lacks bucket or object`;
  const bucket = s3.bucket.name;
  const rawKey = s3.object.key;
  if (typeof bucket !== "string" || bucket === "") return `Records[${index}].s3.bucket.name is missing`;
  if (typeof rawKey !== "string" || rawKey === "") return `Records[${index}].s3.object.key is missing`;
  if (!eventName.startsWith("ObjectCreated:")) return { ignored: `${eventName} ${bucket}/${rawKey}` };
  const key = decodeNotificationKey(rawKey);
  if (key === undefined) return `Records[${index}].s3.object.key ${JSON.stringify(rawKey)} has an invalid %-escape`;
  const object: ObjectCreated = { bucket, key, eventName };
  const versionId = optionalText(s3.object.versionId);
  const eTag = optionalText(s3.object.eTag);
  // s3rver sends the sequencer as a number; S3 as a hex string.
  const sequencer = typeof s3.object.sequencer === "number" ? s3.object.sequencer.toString(16).toUpperCase() : optionalText(s3.object.sequencer);
  if (versionId !== undefined) object.versionId = versionId;
  if (eTag !== undefined) object.eTag = eTag.replace(/^"+|"+$/g, "");
  if (sequencer !== undefined) object.sequencer = sequencer;
  if (typeof s3.object.size === "number" && Number.isFinite(s3.object.size)) object.size = s3.object.size;
  if (versionId === undefined && eTag === undefined && sequencer === undefined) {
    return `Records[${index}] (${bucket}/${key}) has no versionId, eTag or sequencer to tell this upload from another`;
  }
  return object;
}

/** Reads an S3 notification already parsed from JSON. */
export function parseNotification(value: unknown): NotificationBody {
  if (!isRecord(value)) return { kind: "malformed", problem: "the body is not a JSON object" };
  if (value.Event === "s3:TestEvent") return { kind: "test-event" };
  if (!Array.isArray(value.Records)) return { kind: "malformed", problem: "the body has no Records array (not an S3 event notification)" };
  if (value.Records.length === 0) return { kind: "malformed", problem: "Records is empty" };
  const objects: ObjectCreated[] = [];
  const ignored: string[] = [];
  for (const [index, record] of value.Records.entries()) {
    const parsed = parseRecord(record, index);
    if (typeof parsed === "string") return { kind: "malformed", problem: parsed };
    if ("ignored" in parsed) ignored.push(parsed.ignored);
    else objects.push(parsed);
  }
  return { kind: "objects", objects, ignored };
}

/** Reads an SQS message body: JSON text of an S3 notification. */
export function parseMessageBody(body: string): NotificationBody {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { kind: "malformed", problem: `the body is not JSON (${(error as Error).message})` };
  }
  return parseNotification(value);
}

const EXCERPT_LENGTH = 500;

/** Tells an SQS batch from a direct S3 event and parses every message. */
export function parseInvocation(event: unknown): Invocation {
  if (!isRecord(event) || !Array.isArray(event.Records)) {
    return { kind: "unknown", problem: "the event has no Records array; expected an SQS batch or an S3 event" };
  }
  const first: unknown = event.Records[0];
  if (isRecord(first) && first.eventSource === "aws:s3") return { kind: "s3", body: parseNotification(event) };
  if (event.Records.length === 0) return { kind: "sqs", messages: [] };
  const messages: QueuedMessage[] = [];
  for (const [index, record] of event.Records.entries()) {
    if (!isRecord(record) || typeof record.messageId !== "string" || typeof record.body !== "string") {
      return { kind: "unknown", problem: `Records[${index}] has no messageId and body; expected an SQS batch or an S3 event` };
    }
    const attributes = isRecord(record.attributes) ? record.attributes : {};
    const receiveCount = Number(attributes.ApproximateReceiveCount ?? 1);
    messages.push({
      messageId: record.messageId,
      receiptHandle: typeof record.receiptHandle === "string" ? record.receiptHandle : "",
      body: parseMessageBody(record.body),
      excerpt: record.body.length > EXCERPT_LENGTH ? `${record.body.slice(0, EXCERPT_LENGTH)}...` : record.body,
      receiveCount: Number.isFinite(receiveCount) ? receiveCount : 1,
    });
  }
  return { kind: "sqs", messages };
}
