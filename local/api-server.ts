// The region's HTTP API on this machine: the same api handler the deployed
// function runs (handlers/api), behind a plain HTTP server on 127.0.0.1 that
// turns each request into the API Gateway payload (format 2.0) Lambda would
// receive, and the page at `/` a person uploads with (local/page/).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { REPO_ROOT } from "../cli/repo-root";
import type { ApiHandler } from "../handlers/api";

export interface LocalApiServer {
  url: string;
  stop(): Promise<void>;
}

export interface LocalApiServerOptions {
  handler: ApiHandler;
  /** Extra GET routes served as JSON (the local event bus). */
  extraJson?: Record<string, () => unknown>;
  port?: number;
}

/** API Gateway refuses payloads over 10 MB; the API's bodies are small JSON, so far less is plenty. */
const MAX_BODY_BYTES = 64 * 1024;
export const PAGE_PATH = join(REPO_ROOT, "local", "page", "index.html");

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return chunks.length === 0 ? undefined : Buffer.concat(chunks).toString("utf8");
}

/** The payload API Gateway's HTTP API hands a Lambda integration (format 2.0) for one request. */
export function toApiGatewayEvent(req: IncomingMessage, body: string | undefined, now: Date): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  const method = req.method ?? "GET";
  const domainName = headers.host ?? "127.0.0.1";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ""),
    headers,
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName,
      domainPrefix: domainName.split(".")[0],
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

export async function startLocalApiServer(options: LocalApiServerOptions): Promise<LocalApiServer> {
  const page = readFileSync(PAGE_PATH);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/" || path === "/index.html")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
      res.end(page);
      return;
    }
    const extra = req.method === "GET" ? options.extraJson?.[path] : undefined;
    if (extra) {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(extra()));
      return;
    }
    readBody(req)
      .then((body) => options.handler(toApiGatewayEvent(req, body, new Date())))
      .then((answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        res.end(answer.body);
      })
      .catch((error: unknown) => {
        res.writeHead(413, { "content-type": "application/problem+json" });
        res.end(JSON.stringify({ type: "about:blank", title: "Request refused", status: 413, detail: String(error) }));
      });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections open; closing waits for none of them.
        server.closeAllConnections();
      }),
  };
}
