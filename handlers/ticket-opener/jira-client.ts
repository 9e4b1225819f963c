// The three Jira Cloud REST v3 calls the ticket opener makes, over Node's
// fetch, with bounded retries: 429 waits for Retry-After, 5xx and network
// errors back off; any other 4xx fails at once with Jira's own messages.
import type { AdfDocument } from "./adf";

export interface JiraCredentials {
  email: string;
  apiToken: string;
}

export interface JiraClientOptions {
  baseUrl: string;
  credentials: () => Promise<JiraCredentials>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per request (first try included). */
  maxAttempts?: number;
  /** Longest single wait; a Retry-After beyond it means "unavailable now". */
  maxWaitMs?: number;
  requestTimeoutMs?: number;
}

/** Jira answered with a client error: retrying the same request will not help. */
export class JiraRequestError extends Error {
  constructor(
    readonly status: number,
    readonly jiraMessages: string[],
    what: string,
  ) {
    super(`Jira refused ${what} with HTTP ${status}: ${jiraMessages.length > 0 ? jiraMessages.join("; ") : "no error message"}`);
    this.name = "JiraRequestError";
  }
}

/** Jira stayed rate-limited, failing or unreachable through every attempt. */
export class JiraUnavailableError extends Error {
  constructor(what: string, attempts: number, last: string) {
    super(`Jira unavailable for ${what} after ${attempts} attempts: ${last}`);
    this.name = "JiraUnavailableError";
  }
}

export interface JiraIssueRef {
  key: string;
}

export class JiraClient {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: JiraClientOptions) {
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxAttempts = options.maxAttempts ?? 4;
    this.maxWaitMs = options.maxWaitMs ?? 20_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** The newest not-done issue matching the JQL, if any (POST /rest/api/3/search/jql). */
  async findIssue(jql: string): Promise<JiraIssueRef | undefined> {
    const body = await this.request<{ issues?: { key?: string }[] }>("POST", "/rest/api/3/search/jql", "the issue search", {
      jql,
      maxResults: 1,
      fields: ["summary"],
    });
    const key = body.issues?.[0]?.key;
    return typeof key === "string" ? { key } : undefined;
  }

  /** POST /rest/api/3/issue; answers 201 with the new key. */
  async createIssue(fields: { projectKey: string; issueType: string; summary: string; description: AdfDocument; labels: string[] }): Promise<JiraIssueRef> {
    const body = await this.request<{ key?: string }>("POST", "/rest/api/3/issue", "creating the issue", {
      fields: {
        project: { key: fields.projectKey },
        issuetype: { name: fields.issueType },
        // Jira limits summaries to 255 characters.
        summary: fields.summary.slice(0, 255),
        description: fields.description,
        labels: fields.labels,
      },
    });
    if (typeof body.key !== "string") throw new Error("Jira created an issue but its answer has no key");
    return { key: body.key };
  }

  /** POST /rest/api/3/issue/{key}/comment. */
  async addComment(issueKey: string, comment: AdfDocument): Promise<void> {
    await this.request("POST", `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`, `commenting on ${issueKey}`, { body: comment });
  }

  private async request<T>(method: string, path: string, what: string, payload: unknown): Promise<T> {
    const { email, apiToken } = await this.options.credentials();
    const authorization = `Basic ${Buffer.from(`${email}:${apiToken}`).toString("base64")}`;
    let last = "";
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      let response: Response;
      try {
        response = await this.fetch(`${this.options.baseUrl}${path}`, {
          method,
          headers: { authorization, accept: "application/json", "content-type": "application/json" },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
      } catch (err) {
        last = `network error: ${err instanceof Error ? err.message : String(err)}`;
        if (attempt < this.maxAttempts) await this.sleep(backoffMs(attempt));
        continue;
      }
      if (response.ok) {
        const text = await response.text();
        return (text === "" ? {} : JSON.parse(text)) as T;
      }
      const messages = await jiraMessages(response);
      if (response.status === 429 || response.status >= 500) {
        last = `HTTP ${response.status}${messages.length > 0 ? `: ${messages.join("; ")}` : ""}`;
        const wait = response.status === 429 ? (retryAfterMs(response.headers.get("retry-after")) ?? backoffMs(attempt)) : backoffMs(attempt);
        if (wait > this.maxWaitMs) throw new JiraUnavailableError(what, attempt, `${last} (Retry-After ${Math.round(wait / 1000)}s is longer than we wait)`);
        if (attempt < this.maxAttempts) await this.sleep(wait);
        continue;
      }
      if (response.status === 401) {
        messages.push("check the email and API token in the Jira secret (JIRA_SECRET_ARN)");
      }
      throw new JiraRequestError(response.status, messages, what);
    }
    throw new JiraUnavailableError(what, this.maxAttempts, last);
  }
}

/** 1 s, 2 s, 4 s, ... with jitter, so retries of many callers spread out. */
function backoffMs(attempt: number): number {
  return 1000 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
}

/** Retry-After as seconds or an HTTP date (RFC 9110). */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Jira's error body: `{ "errorMessages": [...], "errors": { field: message } }`. */
async function jiraMessages(response: Response): Promise<string[]> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { errorMessages?: unknown; errors?: unknown };
    const out: string[] = [];
    if (Array.isArray(body.errorMessages)) out.push(...body.errorMessages.filter((m): m is string => typeof m === "string"));
    if (typeof body.errors === "object" && body.errors !== null) {
      for (const [field, message] of Object.entries(body.errors)) out.push(`${field}: ${String(message)}`);
    }
    return out;
  } catch {
    return text.trim() === "" ? [] : [text.trim().slice(0, 300)];
  }
}
