// ticket-opener settings: its environment as contracts/environments.ts
// describes it. Without JIRA_BASE_URL tickets go to the alerts topic as text.
import { EnvVarError, FUNCTION_ENVIRONMENTS, readEnvironment, requiredString, type Env } from "../../contracts";

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

const VARS = FUNCTION_ENVIRONMENTS["ticket-opener"];

export function readTicketOpenerConfig(env: Env = process.env): TicketOpenerConfig {
  const e = readEnvironment(VARS, env);
  const baseUrl = e.jiraBaseUrl;
  if (baseUrl === undefined) return { jira: undefined, alertTopicArn: e.alertTopicArn };
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new EnvVarError(VARS.jiraBaseUrl.name, baseUrl, "the Jira site URL, e.g. https://your-team.atlassian.net");
  }
  if (parsed.protocol !== "https:" && parsed.hostname !== "127.0.0.1" && parsed.hostname !== "localhost") {
    // The API token travels in the Authorization header: never over plain HTTP to a remote host.
    throw new EnvVarError(VARS.jiraBaseUrl.name, baseUrl, "an https:// URL");
  }
  return {
    jira: {
      baseUrl: baseUrl.replace(/\/+$/, ""),
      // Required once Jira is configured.
      projectKey: requiredString(env, VARS.jiraProjectKey.name, VARS.jiraProjectKey.meaning),
      issueType: e.jiraIssueType as string,
      secretArn: requiredString(env, VARS.jiraSecretArn.name, VARS.jiraSecretArn.meaning),
    },
    alertTopicArn: e.alertTopicArn,
  };
}
