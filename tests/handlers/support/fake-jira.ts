// A local HTTP server that answers the three Jira Cloud REST v3 calls the
// ticket opener makes, as Atlassian documents them: JQL search
// (POST /rest/api/3/search/jql), create (201 with id/key/self), comment
// (201), 401 without valid basic auth, 400 with errorMessages/errors, and
// injectable 429 (Retry-After) and 5xx answers.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeIssue {
  key: string;
  summary: string;
  labels: string[];
  statusCategory: "To Do" | "In Progress" | "Done";
  description: unknown;
  comments: unknown[];
}

export interface FakeJiraOptions {
  email: string;
  apiToken: string;
  projectKey: string;
}

type Fault = { status: number; headers?: Record<string, string>; body?: unknown };

export async function startFakeJira(opts: FakeJiraOptions) {
  const issues: FakeIssue[] = [];
  const faults: Fault[] = [];
  const requests: { method: string; path: string; body: unknown }[] = [];
  let nextId = 10000;

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body === undefined ? "" : JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const body: unknown = raw === "" ? undefined : JSON.parse(raw);
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push({ method: req.method ?? "", path, body });

    const fault = faults.shift();
    if (fault) return send(res, fault.status, fault.body, fault.headers);

    const expected = `Basic ${Buffer.from(`${opts.email}:${opts.apiToken}`).toString("base64")}`;
    if (req.headers.authorization !== expected) {
      return send(res, 401, { errorMessages: ["Client must be authenticated to access this resource."], errors: {} });
    }

    if (req.method === "POST" && path === "/rest/api/3/search/jql") {
      const jql = String((body as { jql?: unknown }).jql ?? "");
      const label = /labels = "([^"]+)"/.exec(jql)?.[1];
      const project = /project = "([^"]+)"/.exec(jql)?.[1];
      if (project !== opts.projectKey) {
        return send(res, 400, { errorMessages: [`The value '${project}' does not exist for the field 'project'.`], errors: {} });
      }
      const notDone = /statusCategory != Done/.test(jql);
      const found = issues.filter((i) => (label === undefined || i.labels.includes(label)) && (!notDone || i.statusCategory !== "Done")).reverse();
      const max = Number((body as { maxResults?: unknown }).maxResults ?? 50);
      return send(res, 200, { issues: found.slice(0, max).map((i) => ({ id: i.key, key: i.key, fields: { summary: i.summary } })), isLast: true });
    }

    if (req.method === "POST" && path === "/rest/api/3/issue") {
      const fields = ((body as { fields?: Record<string, unknown> }).fields ?? {}) as Record<string, unknown>;
      const errors: Record<string, string> = {};
      if ((fields.project as { key?: unknown } | undefined)?.key !== opts.projectKey) errors.project = "valid project is required";
      if (typeof fields.summary !== "string" || fields.summary === "") errors.summary = "You must specify a summary of the issue.";
      if ((fields.description as { type?: unknown } | undefined)?.type !== "doc")
        errors.description = "Operation value must be an Atlassian Document (see the Atlassian Document Format)";
      if (Object.keys(errors).length > 0) return send(res, 400, { errorMessages: [], errors });
      const key = `${opts.projectKey}-${nextId - 9999}`;
      const id = String(nextId++);
      issues.push({
        key,
        summary: fields.summary as string,
        labels: (fields.labels as string[] | undefined) ?? [],
        statusCategory: "To Do",
        description: fields.description,
        comments: [],
      });
      return send(res, 201, { id, key, self: `http://127.0.0.1/rest/api/3/issue/${id}` });
    }

    const comment = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(path);
    if (req.method === "POST" && comment) {
      const issue = issues.find((i) => i.key === decodeURIComponent(comment[1]));
      if (!issue) return send(res, 404, { errorMessages: ["Issue does not exist or you do not have permission to see it."], errors: {} });
      issue.comments.push((body as { body?: unknown }).body);
      return send(res, 201, { id: String(nextId++), body: (body as { body?: unknown }).body });
    }
    return send(res, 404, { errorMessages: [`no route ${req.method} ${path}`], errors: {} });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { errorMessages: [String(err)], errors: {} }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    issues,
    requests,
    /** The next requests get these answers instead of the normal ones. */
    fail(...next: Fault[]) {
      faults.push(...next);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
