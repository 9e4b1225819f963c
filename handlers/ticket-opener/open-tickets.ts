// What one SNS delivery of ticket requests becomes: Jira issues, or alert
// messages when there is no Jira; when Jira fails, the alert goes out anyway
// and the record fails so SNS/Lambda retry it and finally dead-letter it.
import type { SNSClient } from "@aws-sdk/client-sns";
import type { TicketOpenerConfig } from "./config";
import { fileTicket, ticketText, type FiledTicket } from "./file-ticket";
import { JiraRequestError, type JiraClient } from "./jira-client";
import { parseTicketRequest, publishAlert } from "./ticket-request";

export interface OpenTicketsDeps {
  config: TicketOpenerConfig;
  sns: SNSClient;
  jira: JiraClient | undefined;
  /** Called when Jira refused the credentials, so the next attempt fetches the secret again. */
  onAuthRejected?: () => void;
  log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown>): void;
}

export type TicketResult =
  | { messageId: string; outcome: "jira"; ticket: FiledTicket }
  | { messageId: string; outcome: "alert" }
  | { messageId: string; outcome: "unreadable"; error: string }
  | { messageId: string; outcome: "failed"; error: string };

export interface SnsMessage {
  messageId: string;
  body: string;
}

export async function openTickets(deps: OpenTicketsDeps, messages: SnsMessage[]): Promise<TicketResult[]> {
  const results: TicketResult[] = [];
  for (const { messageId, body } of messages) {
    let request;
    try {
      request = parseTicketRequest(body);
    } catch (err) {
      // Retrying an unreadable message cannot help; pass it on to people as it is.
      const error = err instanceof Error ? err.message : String(err);
      deps.log("error", "unreadable ticket request; forwarded to alerts", { messageId, error });
      await publishAlert(deps.sns, deps.config.alertTopicArn, "Unreadable ticket request", `${error}\n\n${body}`);
      results.push({ messageId, outcome: "unreadable", error });
      continue;
    }
    if (deps.jira === undefined || deps.config.jira === undefined) {
      await publishAlert(deps.sns, deps.config.alertTopicArn, `[ticket] ${request.summary}`, ticketText(request));
      results.push({ messageId, outcome: "alert" });
      continue;
    }
    try {
      const ticket = await fileTicket(deps.jira, deps.config.jira, request);
      deps.log("info", `ticket ${ticket.action}`, { messageId, dedupeKey: request.dedupeKey, key: ticket.key });
      results.push({ messageId, outcome: "jira", ticket });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (err instanceof JiraRequestError && err.status === 401) deps.onAuthRejected?.();
      deps.log("error", "Jira failed; sending the ticket to the alerts topic", { messageId, dedupeKey: request.dedupeKey, error });
      await publishAlert(
        deps.sns,
        deps.config.alertTopicArn,
        `[ticket, Jira failed] ${request.summary}`,
        `Jira could not take this ticket (${error}). It is retried; until then, here it is:\n\n${ticketText(request)}`,
      );
      results.push({ messageId, outcome: "failed", error });
    }
  }
  return results;
}
