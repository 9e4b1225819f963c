// The stand-in for nodejs22.x's runtime client (/var/runtime/index.mjs): the
// script the bootstrap hands to node. It loads _HANDLER ("file.export") from
// LAMBDA_TASK_ROOT, then loops on the Runtime API at AWS_LAMBDA_RUNTIME_API:
// next invocation -> handler(event, context) -> response or error. An import
// or init failure is posted to init/error and the process exits, as Lambda's
// does. Bundled on its own (node built-ins only) by local/lambda-launcher.ts,
// so it runs under plain node exactly as the bootstrap starts it.
import { existsSync } from "node:fs";
import { request, Agent } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import v8 from "node:v8";

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const BASE = `/2018-06-01/runtime`;
const PROBE_HEADER = "lambda-runtime-local-probe";
// One keep-alive connection, as the real client holds.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

type Handler = (event: unknown, context: unknown) => unknown;

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(method: "GET" | "POST", path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  if (!API) throw new Error("AWS_LAMBDA_RUNTIME_API is not set: this script runs under the bootstrap");
  const [host, port] = API.split(":");
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: Number(port), method, path: `${BASE}/${path}`, agent, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function errorDocument(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  return JSON.stringify({
    errorType: e.name,
    errorMessage: e.message,
    stackTrace: (e.stack ?? "")
      .split("\n")
      .slice(1)
      .map((l) => l.trim()),
  });
}

async function loadHandler(): Promise<Handler> {
  const spec = process.env._HANDLER ?? "";
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const dot = spec.lastIndexOf(".");
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${spec}: expected file.export`), { name: "Runtime.MalformedHandlerName" });
  const file = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const found = [".js", ".mjs", ".cjs"].map((ext) => join(root, file + ext)).find((p) => existsSync(p));
  if (!found) throw Object.assign(new Error(`Cannot find module '${file}' in ${root}`), { name: "Runtime.ImportModuleError" });
  const mod = (await import(pathToFileURL(found).href)) as Record<string, unknown> & { default?: Record<string, unknown> };
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== "function") throw Object.assign(new Error(`${file}.${exportName} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  return fn as Handler;
}

function contextFor(headers: HttpAnswer["headers"]): Record<string, unknown> {
  const requestId = String(headers["lambda-runtime-aws-request-id"]);
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? "";
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? "$LATEST",
    invokedFunctionArn: String(headers["lambda-runtime-invoked-function-arn"] ?? ""),
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "",
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${name}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? "",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Local probes, answered from this process (never the handler's business). */
function answerProbe(kind: string): unknown {
  if (kind === "memory") {
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    const cpu = process.cpuUsage();
    return { rss, heapUsed, cpuMicros: cpu.user + cpu.system, gc: typeof (globalThis as { gc?: unknown }).gc === "function" };
  }
  if (kind === "young-generation") {
    // V8 grows the young generation up to its limit under allocation pressure:
    // churn short-lived objects and keep the largest new-space size seen.
    let largest = 0;
    let keep: unknown[] = [];
    for (let i = 0; i < 3_000_000; i++) {
      keep.push({ i, s: `x${i}` });
      if (keep.length > 200_000) keep = [];
      if (i % 10_000 === 0) largest = Math.max(largest, v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0);
    }
    keep.length = 0;
    return {
      newSpaceMaxBytes: largest,
      heapSizeLimitBytes: v8.getHeapStatistics().heap_size_limit,
      execArgv: process.execArgv,
      nodeOptions: process.env.NODE_OPTIONS ?? "",
      node: process.version,
    };
  }
  throw new Error(`unknown probe ${kind}`);
}

async function main(): Promise<void> {
  let handler: Handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    process.stderr.write(`${errorDocument(error)}\n`);
    await call("POST", "init/error", errorDocument(error), { "lambda-runtime-function-error-type": (error as Error).name ?? "Runtime.Unknown" }).catch(
      () => undefined,
    );
    process.exit(1);
  }
  let current: string | undefined;
  // An error thrown outside the handler's promise ends the invocation (and the process), as on Lambda.
  process.on("uncaughtException", (error) => {
    process.stderr.write(`${errorDocument(error)}\n`);
    const id = current;
    void (id ? call("POST", `invocation/${encodeURIComponent(id)}/error`, errorDocument(error)) : Promise.resolve())
      .catch(() => undefined)
      .finally(() => process.exit(129));
  });
  for (;;) {
    const next = await call("GET", "invocation/next");
    if (next.status !== 200) throw new Error(`invocation/next answered ${next.status}`);
    const id = String(next.headers["lambda-runtime-aws-request-id"]);
    const probe = next.headers[PROBE_HEADER];
    current = id;
    let path: string;
    let body: string;
    try {
      const value = typeof probe === "string" ? answerProbe(probe) : await handler(JSON.parse(next.body) as unknown, contextFor(next.headers));
      path = `invocation/${encodeURIComponent(id)}/response`;
      body = value === undefined ? "" : JSON.stringify(value);
    } catch (error) {
      path = `invocation/${encodeURIComponent(id)}/error`;
      body = errorDocument(error);
    }
    current = undefined;
    await call("POST", path, body);
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`runtime client: ${errorDocument(error)}\n`);
  process.exit(1);
});
