// The Jira email and API token from Secrets Manager, fetched once per
// container; a failed fetch is not cached, and `forget()` drops a token Jira refused.
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { JiraCredentials } from "./jira-client";

export function parseJiraSecret(secretString: string | undefined, secretArn: string): JiraCredentials {
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? "");
  } catch {
    throw new Error(`secret ${secretArn} is not JSON; it must hold {"email": "...", "apiToken": "..."}`);
  }
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof v.email !== "string" || v.email === "" || typeof v.apiToken !== "string" || v.apiToken === "") {
    throw new Error(`secret ${secretArn} must hold non-empty "email" and "apiToken" strings`);
  }
  return { email: v.email, apiToken: v.apiToken };
}

export function cachedJiraCredentials(client: SecretsManagerClient, secretArn: string) {
  let cached: Promise<JiraCredentials> | undefined;
  return {
    get(): Promise<JiraCredentials> {
      if (cached === undefined) {
        cached = client.send(new GetSecretValueCommand({ SecretId: secretArn })).then((out) => parseJiraSecret(out.SecretString, secretArn));
        cached.catch(() => {
          cached = undefined;
        });
      }
      return cached;
    },
    forget(): void {
      cached = undefined;
    },
  };
}
