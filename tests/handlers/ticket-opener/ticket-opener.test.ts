import { strict as assert } from "node:assert";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { readTicketOpenerConfig, type JiraConfig, type TicketOpenerConfig } from "../../../handlers/ticket-opener/config";
import { dedupeLabel, openIssueJql } from "../../../handlers/ticket-opener/file-ticket";
import { JiraClient, JiraRequestError, JiraUnavailableError, retryAfterMs } from "../../../handlers/ticket-opener/jira-client";
import { cachedJiraCredentials } from "../../../handlers/ticket-opener/jira-secret";
import { openTickets, type OpenTicketsDeps } from "../../../handlers/ticket-opener/open-tickets";
import { ticketRequest, type TicketRequest } from "../../../handlers/ticket-opener/ticket-request";
import { startFakeJira } from "../support/fake-jira";

const ALERTS = "arn:aws:sns:eu-central-1:123456789012:alerts";
const creds = { email: "bot@example.com", apiToken: "token-1" };

function request(dedupeKey: string, summary = "canary failed at thumbnail-row"): TicketRequest {
  return ticketRequest({
    dedupeKey,
    source: "canary",
    region: "eu-central-1",
    summary,
    description: "step thumbnail-row timed out after 120 s\nlast error: no row",
    details: { step: "thumbnail-row" },
  });
}
const mockSns = (client: SNSClient) => mockClient(client);
const message = (r: TicketRequest | string, id = "m1") => ({ messageId: id, body: typeof r === "string" ? r : JSON.stringify(r) });

describe("ticket-opener", () => {
  let jira: Awaited<ReturnType<typeof startFakeJira>>;
  let sns: SNSClient;
  let snsMock: ReturnType<typeof mockSns>;
  let waits: number[];
  let jiraConfig: JiraConfig;

  beforeEach(async () => {
    jira = await startFakeJira({ ...creds, projectKey: "OPS" });
    jiraConfig = { baseUrl: jira.baseUrl, projectKey: "OPS", issueType: "Task", secretArn: "arn:aws:secretsmanager:eu-central-1:1:secret:jira" };
    sns = new SNSClient({ region: "eu-central-1" });
    snsMock = mockSns(sns);
    snsMock.on(PublishCommand).resolves({ MessageId: "x" });
    waits = [];
  });
  afterEach(() => jira.close());

  function deps(over: { credentials?: typeof creds; config?: Partial<TicketOpenerConfig>; onAuthRejected?: () => void } = {}): OpenTicketsDeps {
    const config: TicketOpenerConfig = { jira: jiraConfig, alertTopicArn: ALERTS, ...over.config };
    const client = config.jira
      ? new JiraClient({
          baseUrl: config.jira.baseUrl,
          credentials: async () => over.credentials ?? creds,
          sleep: async (ms) => {
            waits.push(ms);
          },
        })
      : undefined;
    return { config, sns, jira: client, log: () => undefined, ...(over.onAuthRejected ? { onAuthRejected: over.onAuthRejected } : {}) };
  }
  const alerts = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);

  it("creates one issue per dedupe key and comments on it the second time", async () => {
    const key = "canary:eu-central-1:thumbnail-row";
    const [first] = await openTickets(deps(), [message(request(key))]);
    assert.deepEqual(first, { messageId: "m1", outcome: "jira", ticket: { action: "created", key: "OPS-1" } });
    const [second] = await openTickets(deps(), [message(request(key, "canary failed again"), "m2")]);
    assert.deepEqual(second, { messageId: "m2", outcome: "jira", ticket: { action: "commented", key: "OPS-1" } });
    assert.equal(jira.issues.length, 1);
    assert.equal(jira.issues[0].comments.length, 1);
    assert.ok(jira.issues[0].labels.includes(dedupeLabel(key)));
    assert.ok(jira.issues[0].labels.includes("thumbnail-pipeline"));
    assert.equal(jira.issues[0].summary, "[eu-central-1] canary failed at thumbnail-row");
    // The description is an ADF document: a paragraph per line and the details as JSON.
    const doc = jira.issues[0].description as { type: string; content: { type: string }[] };
    assert.deepEqual(
      doc.content.map((n) => n.type),
      ["paragraph", "paragraph", "codeBlock"],
    );

    // Another check opens its own issue; a Done issue no longer takes comments.
    await openTickets(deps(), [message(request("canary:eu-central-1:raw-put"))]);
    assert.equal(jira.issues.length, 2);
    jira.issues[0].statusCategory = "Done";
    const [third] = await openTickets(deps(), [message(request(key))]);
    assert.equal(third.outcome === "jira" && third.ticket.action, "created");
    assert.equal(alerts().length, 0);
  });

  it("searches with JQL through /rest/api/3/search/jql for the open issue", async () => {
    await openTickets(deps(), [message(request("db-guard:eu-central-1:db:connections"))]);
    const search = jira.requests.find((r) => r.path === "/rest/api/3/search/jql");
    assert.deepEqual(search?.body, { jql: openIssueJql("OPS", "db-guard:eu-central-1:db:connections"), maxResults: 1, fields: ["summary"] });
    assert.match(openIssueJql("OPS", "k"), /^project = "OPS" AND labels = "pipeline-[0-9a-f]{16}" AND statusCategory != Done/);
  });

  it("waits as long as a 429's Retry-After says, then succeeds", async () => {
    jira.fail({ status: 429, headers: { "retry-after": "3" }, body: { errorMessages: ["Rate limit exceeded."] } });
    const [result] = await openTickets(deps(), [message(request("k429"))]);
    assert.equal(result.outcome, "jira");
    assert.deepEqual(waits, [3000]);
  });

  it("retries 5xx with backoff and succeeds when Jira comes back", async () => {
    jira.fail({ status: 503, body: { errorMessages: ["Service Unavailable"] } }, { status: 502 });
    const [result] = await openTickets(deps(), [message(request("k503"))]);
    assert.equal(result.outcome, "jira");
    assert.equal(waits.length, 2);
    assert.ok(waits[1] > 0);
  });

  it("falls back to the alerts topic and fails the record when Jira stays unavailable", async () => {
    jira.fail(...Array.from({ length: 4 }, () => ({ status: 503, body: { errorMessages: ["Service Unavailable"] } })));
    const [result] = await openTickets(deps(), [message(request("kdown"))]);
    assert.equal(result.outcome, "failed");
    assert.match(result.outcome === "failed" ? result.error : "", /unavailable for the issue search after 4 attempts: HTTP 503: Service Unavailable/);
    const [alert] = alerts();
    assert.equal(alert.TopicArn, ALERTS);
    assert.match(alert.Message ?? "", /canary failed at thumbnail-row[\s\S]*dedupe key: kdown/);
  });

  it("does not wait for a Retry-After longer than its budget", async () => {
    jira.fail({ status: 429, headers: { "retry-after": "3600" } });
    const client = new JiraClient({ baseUrl: jira.baseUrl, credentials: async () => creds, sleep: async () => assert.fail("must not sleep") });
    await assert.rejects(client.findIssue('project = "OPS"'), (e: unknown) => e instanceof JiraUnavailableError && /longer than we wait/.test(e.message));
  });

  it("names Jira's errorMessages on a 4xx and does not retry it", async () => {
    const [result] = await openTickets(deps({ config: { jira: { ...jiraConfig, projectKey: "NOPE" } } }), [message(request("k400"))]);
    assert.equal(result.outcome, "failed");
    assert.match(
      result.outcome === "failed" ? result.error : "",
      /Jira refused the issue search with HTTP 400: The value 'NOPE' does not exist for the field 'project'/,
    );
    assert.equal(waits.length, 0);
    assert.equal(jira.requests.length, 1);

    const client = new JiraClient({ baseUrl: jira.baseUrl, credentials: async () => creds });
    const doc = { version: 1 as const, type: "doc" as const, content: [] };
    await assert.rejects(
      client.createIssue({ projectKey: "NOPE", issueType: "Task", summary: "s", description: doc, labels: [] }),
      (e: unknown) => e instanceof JiraRequestError && e.status === 400 && /project: valid project is required/.test(e.message),
    );
  });

  it("a 401 says to check the secret and drops the cached token", async () => {
    let forgotten = 0;
    const [result] = await openTickets(deps({ credentials: { ...creds, apiToken: "wrong" }, onAuthRejected: () => forgotten++ }), [message(request("k401"))]);
    assert.equal(result.outcome, "failed");
    assert.match(result.outcome === "failed" ? result.error : "", /HTTP 401: Client must be authenticated.*JIRA_SECRET_ARN/);
    assert.equal(forgotten, 1);
  });

  it("without Jira, sends the ticket text to the alerts topic", async () => {
    const [result] = await openTickets(deps({ config: { jira: undefined } }), [message(request("k"))]);
    assert.equal(result.outcome, "alert");
    const [alert] = alerts();
    assert.equal(alert.TopicArn, ALERTS);
    assert.equal(alert.Subject, "[ticket] canary failed at thumbnail-row");
    assert.match(alert.Message ?? "", /step thumbnail-row timed out/);
  });

  it("forwards an unreadable request to people instead of retrying it", async () => {
    const [result] = await openTickets(deps(), [message('{"kind":"something-else"}')]);
    assert.equal(result.outcome, "unreadable");
    assert.match(alerts()[0].Message ?? "", /kind "something-else"/);
  });

  it("reads its settings and the Jira secret once per container", async () => {
    assert.equal(readTicketOpenerConfig({ ALERT_TOPIC_ARN: ALERTS }).jira, undefined);
    assert.throws(() => readTicketOpenerConfig({ ALERT_TOPIC_ARN: ALERTS, JIRA_BASE_URL: "http://jira.example.com" }), /JIRA_BASE_URL .*https/);
    assert.throws(() => readTicketOpenerConfig({ ALERT_TOPIC_ARN: ALERTS, JIRA_BASE_URL: "https://x.atlassian.net" }), /JIRA_PROJECT_KEY is not set/);
    const full = readTicketOpenerConfig({
      ALERT_TOPIC_ARN: ALERTS,
      JIRA_BASE_URL: "https://x.atlassian.net/",
      JIRA_PROJECT_KEY: "OPS",
      JIRA_SECRET_ARN: "arn",
    });
    assert.deepEqual(full.jira, { baseUrl: "https://x.atlassian.net", projectKey: "OPS", issueType: "Task", secretArn: "arn" });

    const sm = new SecretsManagerClient({ region: "eu-central-1" });
    const smMock = mockClient(sm);
    smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(creds) });
    const secret = cachedJiraCredentials(sm, "arn:s");
    assert.deepEqual(await secret.get(), creds);
    await secret.get();
    assert.equal(smMock.commandCalls(GetSecretValueCommand).length, 1);
    assert.deepEqual(smMock.commandCalls(GetSecretValueCommand)[0].args[0].input, { SecretId: "arn:s" });
    secret.forget();
    await secret.get();
    assert.equal(smMock.commandCalls(GetSecretValueCommand).length, 2);
    smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"email":"a"}' });
    secret.forget();
    await assert.rejects(secret.get(), /must hold non-empty "email" and "apiToken"/);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    assert.equal(retryAfterMs("120"), 120_000);
    assert.equal(retryAfterMs("Wed, 21 Oct 2026 07:28:30 GMT", Date.parse("Wed, 21 Oct 2026 07:28:00 GMT")), 30_000);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs("soon"), undefined);
  });
});
