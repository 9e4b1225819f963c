// A local Lambda Runtime API (the 2018-06-01 interface a runtime polls inside
// one execution environment): GET invocation/next hands out the next event,
// POST invocation/<id>/response or /error answers it, POST init/error reports
// a failed init. One server per container, as each Lambda sandbox has its own
// AWS_LAMBDA_RUNTIME_API. Besides invocations it can send a local probe (a
// named request the stand-in runtime client answers from inside the function's
// process: memory after a full GC, the young generation V8 gave it); probes
// carry the header PROBE_HEADER and never reach the handler.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const RUNTIME_API_VERSION = "2018-06-01";
/** Local extension: the /next response is a probe of this kind, answered by the runtime client itself. */
export const PROBE_HEADER = "lambda-runtime-local-probe";

export type ProbeKind = "memory" | "young-generation";

export interface InvocationRequest {
  event: unknown;
  deadlineMs: number;
  invokedFunctionArn: string;
  requestId?: string;
}

/** What the runtime answered: a response body (parsed JSON), or the error document it posted. */
export type InvocationAnswer = { kind: "response"; value: unknown } | { kind: "error"; errorType: string; errorMessage: string };

export interface RuntimeApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  /** Queues one invocation; resolves with the runtime's answer, rejects when the API is closed or the runtime reported an init error first. */
  invoke(request: InvocationRequest): Promise<InvocationAnswer>;
  /** Asks the runtime client a local probe between invocations. */
  probe(kind: ProbeKind): Promise<unknown>;
  /** Resolves when the runtime first asks for work (its init is done); rejects on POST init/error. */
  ready: Promise<void>;
  /** Fails whatever is pending or queued (the container died) and closes the server. */
  close(reason: string): Promise<void>;
}

interface Pending {
  id: string;
  body: string;
  headers: Record<string, string>;
  resolve(answer: InvocationAnswer): void;
  reject(error: Error): void;
}

export async function startRuntimeApi(): Promise<RuntimeApi> {
  const queue: Pending[] = [];
  const inFlight = new Map<string, Pending>();
  let waiting: ServerResponse | undefined;
  let closed: string | undefined;
  let markReady!: () => void;
  let failInit!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failInit = reject;
  });
  // Nobody may be awaiting `ready` when init fails (a container replaced later): never an unhandled rejection.
  ready.catch(() => undefined);

  function dispatch(): void {
    if (!waiting || queue.length === 0) return;
    const next = queue.shift() as Pending;
    const res = waiting;
    waiting = undefined;
    inFlight.set(next.id, next);
    res.writeHead(200, { "content-type": "application/json", ...next.headers });
    res.end(next.body);
  }

  function enqueue(id: string, body: string, headers: Record<string, string>): Promise<InvocationAnswer> {
    if (closed !== undefined) return Promise.reject(new Error(closed));
    return new Promise<InvocationAnswer>((resolve, reject) => {
      queue.push({ id, body, headers, resolve, reject });
      dispatch();
    });
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "";
    const prefix = `/${RUNTIME_API_VERSION}/runtime/`;
    if (!url.startsWith(prefix)) return void res.writeHead(404).end();
    const path = url.slice(prefix.length);
    if (req.method === "GET" && path === "invocation/next") {
      markReady();
      if (waiting) waiting.writeHead(409).end();
      waiting = res;
      res.on("close", () => {
        if (waiting === res) waiting = undefined;
      });
      dispatch();
      return;
    }
    const body = await readBody(req);
    if (req.method === "POST" && path === "init/error") {
      failInit(new Error(`init failed: ${describeError(body)}`));
      return void res.writeHead(202).end();
    }
    const match = /^invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method !== "POST" || !match) return void res.writeHead(404).end();
    const pending = inFlight.get(decodeURIComponent(match[1] as string));
    if (!pending) return void res.writeHead(400).end(JSON.stringify({ errorMessage: "unknown or answered request id" }));
    inFlight.delete(pending.id);
    res.writeHead(202).end();
    if (match[2] === "response") {
      pending.resolve({ kind: "response", value: body.length === 0 ? undefined : parseJson(body) });
    } else {
      const doc = parseJson(body) as { errorType?: unknown; errorMessage?: unknown } | undefined;
      pending.resolve({ kind: "error", errorType: String(doc?.errorType ?? "Error"), errorMessage: String(doc?.errorMessage ?? body) });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    ready,
    invoke(request) {
      const id = request.requestId ?? randomUUID();
      return enqueue(id, JSON.stringify(request.event ?? null), {
        "lambda-runtime-aws-request-id": id,
        "lambda-runtime-deadline-ms": String(request.deadlineMs),
        "lambda-runtime-invoked-function-arn": request.invokedFunctionArn,
        "lambda-runtime-trace-id": `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, "").slice(0, 24)};Sampled=0`,
      });
    },
    async probe(kind) {
      const id = `probe-${randomUUID()}`;
      const answer = await enqueue(id, "{}", { "lambda-runtime-aws-request-id": id, [PROBE_HEADER]: kind });
      if (answer.kind === "error") throw new Error(`probe ${kind} failed: ${answer.errorMessage}`);
      return answer.value;
    },
    async close(reason) {
      if (closed !== undefined) return;
      closed = reason;
      failInit(new Error(reason));
      for (const p of [...queue.splice(0), ...inFlight.values()]) p.reject(new Error(reason));
      inFlight.clear();
      waiting?.destroy();
      waiting = undefined;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeError(body: string): string {
  const doc = parseJson(body) as { errorType?: unknown; errorMessage?: unknown } | string;
  return typeof doc === "object" && doc !== null ? `${String(doc.errorType ?? "Error")}: ${String(doc.errorMessage ?? "")}` : String(doc);
}
