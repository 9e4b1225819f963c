// A tiny HTTP proxy in front of the local S3: counts the bytes the S3 server
// sent and can answer chosen requests with an S3 error, as S3 does when it
// throttles (503 SlowDown) or fails (500).
import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface InjectedFault {
  method: string;
  /** Matches the decoded request path (`/bucket/key`). */
  path: RegExp;
  status: number;
  code: string;
  /** How many matching requests fail; then they pass again. */
  times: number;
  /** Narrows the match by request headers (e.g. an If-Match the server would refuse). */
  when?: (headers: IncomingHttpHeaders) => boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
}

export interface S3Proxy {
  endpoint: string;
  /** Body bytes received from S3 for requests whose path matches. */
  bytesFrom(path: RegExp): number;
  requests: SeenRequest[];
  inject(fault: InjectedFault): void;
  stop(): Promise<void>;
}

function decodedPath(url: string): string {
  const path = url.split("?")[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const faults: InjectedFault[] = [];
  const received: { path: string; bytes: number }[] = [];
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = decodedPath(req.url ?? "/");
    requests.push({ method, path, query: (req.url ?? "").split("?")[1] ?? "", headers: req.headers });
    const fault = faults.find((f) => f.times > 0 && f.method === method && f.path.test(path) && (f.when?.(req.headers) ?? true));
    if (fault !== undefined) {
      fault.times -= 1;
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/xml" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected by the test proxy</Message><RequestId>proxy</RequestId></Error>`,
      );
      return;
    }
    const tally = { path, bytes: 0 };
    received.push(tally);
    const headers: IncomingHttpHeaders = { ...req.headers };
    const upstream = request(`${target}${req.url ?? "/"}`, { method, headers }, (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.on("data", (chunk: Buffer) => {
        tally.bytes += chunk.length;
      });
      response.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    // The client hung up (a capped download): stop reading from S3 too.
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bytesFrom: (path) => received.filter((r) => path.test(r.path)).reduce((sum, r) => sum + r.bytes, 0),
    requests,
    inject: (fault) => faults.push({ ...fault }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
