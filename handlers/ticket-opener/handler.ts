// The ticket-opener function, built from its dependencies. A record Jira did
// not take fails the invocation, so Lambda retries the (asynchronous) SNS
// delivery and finally hands it to the on-failure destination; the alerts
// topic has had the ticket's text already.
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import { errorFields, InvalidEventError, type Logger } from "../shared/logger";
import type { TicketOpenerConfig } from "./config";
import { JiraClient, type JiraClientOptions } from "./jira-client";
import { cachedJiraCredentials } from "./jira-secret";
import { openTickets, type TicketResult } from "./open-tickets";

export interface SnsEvent {
  Records?: { Sns?: { MessageId?: string; Message?: string } }[];
}

export interface TicketOpenerDeps {
  config: TicketOpenerConfig;
  sns: SNSClient;
  secrets: SecretsManagerClient;
  logger: Logger;
  /** Overrides for the Jira client (tests: no real waiting). */
  jiraOptions?: Partial<JiraClientOptions>;
}

export class TicketsNotFiledError extends Error {
  constructor(readonly failed: Extract<TicketResult, { outcome: "failed" }>[]) {
    super(`${failed.length} ticket request(s) not filed in Jira (their text went to the alerts topic): ${failed.map((f) => f.error).join(" | ")}`);
    this.name = "TicketsNotFiledError";
  }
}

export function createTicketOpenerHandler(deps: TicketOpenerDeps): (event: SnsEvent) => Promise<TicketResult[]> {
  const { config, logger } = deps;
  const secret = config.jira ? cachedJiraCredentials(deps.secrets, config.jira.secretArn) : undefined;
  const jira = config.jira && secret ? new JiraClient({ baseUrl: config.jira.baseUrl, credentials: () => secret.get(), ...deps.jiraOptions }) : undefined;
  return async (event) => {
    const problem = snsEventProblem(event);
    if (problem !== undefined) {
      const error = new InvalidEventError(
        `not an SNS notification: ${problem}; ticket-opener expects { Records: [{ Sns: { Message } }] } from the tickets topic`,
      );
      logger.error("invalid event", errorFields(error));
      throw error;
    }
    const messages = (event.Records ?? []).map((r, i) => ({ messageId: r.Sns?.MessageId ?? `record-${i}`, body: r.Sns?.Message ?? "" }));
    const results = await openTickets(
      { config, sns: deps.sns, jira, onAuthRejected: () => secret?.forget(), log: (level, message, fields) => logger[level](message, fields) },
      messages,
    );
    const failed = results.filter((r): r is Extract<TicketResult, { outcome: "failed" }> => r.outcome === "failed");
    if (failed.length > 0) throw new TicketsNotFiledError(failed);
    return results;
  };
}

/** What is wrong with an event that should be an SNS notification, or undefined when it is one. */
export function snsEventProblem(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return `the event is ${event === null ? "null" : typeof event}`;
  const records = (event as { Records?: unknown }).Records;
  if (!Array.isArray(records)) return records === undefined ? "it has no Records" : "Records is not a list";
  if (records.length === 0) return "Records is empty";
  const bad = records.findIndex((r) => typeof (r as { Sns?: { Message?: unknown } } | null)?.Sns?.Message !== "string");
  return bad >= 0 ? `Records[${bad}] has no Sns.Message` : undefined;
}
