// One open Jira issue per dedupe key: find it by its label, comment on it, or
// create it.
import { createHash } from "node:crypto";
import { adfDocument } from "./adf";
import type { JiraConfig } from "./config";
import type { JiraClient } from "./jira-client";
import type { TicketRequest } from "./ticket-request";

/** Jira labels allow no spaces and dedupe keys hold colons: a hash makes a safe, stable label. */
export function dedupeLabel(dedupeKey: string): string {
  return `pipeline-${createHash("sha256").update(dedupeKey).digest("hex").slice(0, 16)}`;
}

/** JQL strings are double-quoted; escape what would end them. */
function jqlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function openIssueJql(projectKey: string, dedupeKey: string): string {
  return `project = ${jqlString(projectKey)} AND labels = ${jqlString(dedupeLabel(dedupeKey))} AND statusCategory != Done ORDER BY created DESC`;
}

export type FiledTicket = { action: "created" | "commented"; key: string };

export async function fileTicket(jira: JiraClient, config: JiraConfig, request: TicketRequest): Promise<FiledTicket> {
  const open = await jira.findIssue(openIssueJql(config.projectKey, request.dedupeKey));
  const details = { dedupeKey: request.dedupeKey, source: request.source, region: request.region, ...request.details };
  if (open !== undefined) {
    await jira.addComment(open.key, adfDocument(`Again: ${request.summary}\n${request.description}`, details));
    return { action: "commented", key: open.key };
  }
  const created = await jira.createIssue({
    projectKey: config.projectKey,
    issueType: config.issueType,
    summary: `[${request.region}] ${request.summary}`,
    description: adfDocument(request.description, details),
    labels: [...new Set([...request.labels, dedupeLabel(request.dedupeKey)])],
  });
  return { action: "created", key: created.key };
}

/** The ticket as plain text, for the alerts topic when there is no Jira (or Jira is down). */
export function ticketText(request: TicketRequest): string {
  return [
    request.summary,
    "",
    request.description,
    "",
    `dedupe key: ${request.dedupeKey}`,
    `source: ${request.source}, region: ${request.region}`,
    `details: ${JSON.stringify(request.details, null, 2)}`,
  ].join("\n");
}
