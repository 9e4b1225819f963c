// The ticket-opener function, built from its dependencies. A record Jira did
// not take fails the invocation, so Lambda retries the (asynchronous) SNS
// delivery and finally hands it to the on-failure destination; the alerts
// topic has had the ticket's text already.
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { Logger } from "../shared/logger";
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
