// ticket-opener: SNS subscription on the tickets topic. Files each ticket
// request in Jira Cloud (one open issue per dedupe key) or, without Jira,
// sends it to the alerts topic.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { createLogger } from "../shared/logger";
import { readTicketOpenerConfig } from "./config";
import { JiraClient } from "./jira-client";
import { cachedJiraCredentials } from "./jira-secret";
import { openTickets, type TicketResult } from "./open-tickets";

interface SnsEvent {
  Records?: { Sns?: { MessageId?: string; Message?: string } }[];
}

const logger = createLogger({ defaultServiceName: "ticket-opener" });
const sns = new SNSClient({});
const config = readTicketOpenerConfig();
const secret = config.jira ? cachedJiraCredentials(new SecretsManagerClient({}), config.jira.secretArn) : undefined;
const jira = config.jira && secret ? new JiraClient({ baseUrl: config.jira.baseUrl, credentials: () => secret.get() }) : undefined;

export async function handler(event: SnsEvent): Promise<TicketResult[]> {
  const messages = (event.Records ?? []).map((r, i) => ({ messageId: r.Sns?.MessageId ?? `record-${i}`, body: r.Sns?.Message ?? "" }));
  const results = await openTickets(
    { config, sns, jira, onAuthRejected: () => secret?.forget(), log: (level, message, fields) => logger[level](message, fields) },
    messages,
  );
  const failed = results.filter((r) => r.outcome === "failed");
  // Failing the invocation makes Lambda retry the (asynchronous) SNS delivery and finally send it to the on-failure destination.
  if (failed.length > 0) throw new Error(`${failed.length} ticket request(s) not filed in Jira (already sent to the alerts topic): ${failed.map((f) => f.outcome === "failed" && f.error).join(" | ")}`);
  return results;
}
