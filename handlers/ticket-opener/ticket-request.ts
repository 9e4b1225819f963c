// The ticket request every detector publishes on the tickets topic
// (docs/contracts.md "Ticket requests"). Detectors inside the VPC never call
// Jira themselves; they publish this and `ticket-opener` files it.
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";

export interface TicketRequest {
  kind: "ticket-request";
  /** One open ticket per key: a second request with the same key comments on the open one. */
  dedupeKey: string;
  /** The automation asking: `oom-remediator`, `db-guard`, `canary`. */
  source: string;
  region: string;
  summary: string;
  description: string;
  labels: string[];
  details: Record<string, unknown>;
}

/** Builds a request with the fixed fields filled in. */
export function ticketRequest(fields: Omit<TicketRequest, "kind" | "labels"> & { labels?: string[] }): TicketRequest {
  return { kind: "ticket-request", ...fields, labels: fields.labels ?? ["thumbnail-pipeline"] };
}

/** Parses an SNS message body; throws naming the first field that is wrong. */
export function parseTicketRequest(body: string): TicketRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Error(`ticket request is not JSON: ${body.slice(0, 120)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("ticket request must be a JSON object");
  }
  const v = value as Record<string, unknown>;
  if (v.kind !== "ticket-request") throw new Error(`ticket request has kind ${JSON.stringify(v.kind)}, expected "ticket-request"`);
  for (const field of ["dedupeKey", "source", "region", "summary", "description"] as const) {
    if (typeof v[field] !== "string" || v[field] === "") {
      throw new Error(`ticket request field "${field}" must be a non-empty string`);
    }
  }
  const labels = v.labels ?? [];
  if (!Array.isArray(labels) || !labels.every((l): l is string => typeof l === "string")) {
    throw new Error('ticket request field "labels" must be an array of strings');
  }
  const details = v.details ?? {};
  if (typeof details !== "object" || details === null || Array.isArray(details)) {
    throw new Error('ticket request field "details" must be an object');
  }
  return {
    kind: "ticket-request",
    dedupeKey: v.dedupeKey as string,
    source: v.source as string,
    region: v.region as string,
    summary: v.summary as string,
    description: v.description as string,
    labels,
    details: details as Record<string, unknown>,
  };
}

/** Publishes a request on the tickets topic. */
export async function publishTicketRequest(sns: SNSClient, topicArn: string, request: TicketRequest): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      // SNS subjects are limited to 100 printable ASCII characters.
      Subject: snsSubject(`[ticket] ${request.summary}`),
      Message: JSON.stringify(request),
      MessageAttributes: {
        kind: { DataType: "String", StringValue: request.kind },
        source: { DataType: "String", StringValue: request.source },
      },
    }),
  );
}

/** Publishes a human-readable alert (subject + text) on the alerts topic. */
export async function publishAlert(sns: SNSClient, topicArn: string, subject: string, text: string): Promise<void> {
  await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: snsSubject(subject), Message: text }));
}

/** SNS rejects subjects over 100 characters or with control/non-ASCII characters. */
export function snsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}
