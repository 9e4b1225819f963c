// ticket-opener settings (names: docs/contracts.md). Without JIRA_BASE_URL
// tickets go to the alerts topic as text.
import { EnvVarError, optionalString, requiredString, type Env } from "../shared/env";

export interface JiraConfig {
  baseUrl: string;
  projectKey: string;
  issueType: string;
  secretArn: string;
}

export interface TicketOpenerConfig {
  jira: JiraConfig | undefined;
  alertTopicArn: string;
}

export function readTicketOpenerConfig(env: Env = process.env): TicketOpenerConfig {
  const alertTopicArn = requiredString(env, "ALERT_TOPIC_ARN", "the ARN of the alerts SNS topic (tickets fall back to it)");
  const baseUrl = optionalString(env, "JIRA_BASE_URL");
  if (baseUrl === undefined) return { jira: undefined, alertTopicArn };
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new EnvVarError("JIRA_BASE_URL", baseUrl, "the Jira site URL, e.g. https://your-team.atlassian.net");
  }
  if (parsed.protocol !== "https:" && parsed.hostname !== "127.0.0.1" && parsed.hostname !== "localhost") {
    // The API token travels in the Authorization header: never over plain HTTP to a remote host.
    throw new EnvVarError("JIRA_BASE_URL", baseUrl, "an https:// URL");
  }
  return {
    jira: {
      baseUrl: baseUrl.replace(/\/+$/, ""),
      projectKey: requiredString(env, "JIRA_PROJECT_KEY", "the Jira project key tickets are filed in, e.g. OPS"),
      issueType: optionalString(env, "JIRA_ISSUE_TYPE") ?? "Task",
      secretArn: requiredString(env, "JIRA_SECRET_ARN", 'the ARN of the Secrets Manager secret holding {"email","apiToken"}'),
    },
    alertTopicArn,
  };
}
