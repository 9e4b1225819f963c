// The local S3 as browsers and curl see it: every request passes through to
// s3rver unchanged, except browser-form POSTs to a bucket, which are checked
// as S3 checks them (local/post-policy.ts) and only then stored. s3rver alone
// would store any posted file under any key, whatever its policy says, so an
// over-size upload would succeed locally and fail in AWS.
import { randomBytes } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import busboy from "busboy";
import { s3ErrorXml, verifyPostPolicy, type PolicyVerdict, type PostedForm } from "./post-policy";

export interface S3PostFront {
  endpoint: string;
  stop(): Promise<void>;
}

export interface S3PostFrontOptions {
  /** The local S3 (s3rver) everything is passed to. */
  s3Config: S3ClientConfig & { endpoint: string };
  /** Secret keys by access key id, to check signatures with. */
  secrets: Readonly<Record<string, string>>;
  /** Files above this are refused before the policy is read (S3's own POST limit is 5 GB; local runs need far less). */
  maxFileBytes: number;
  now?: () => Date;
}

const CORS = { "access-control-allow-origin": "*", "access-control-expose-headers": "etag, location" };

function readForm(req: IncomingMessage, maxFileBytes: number): Promise<{ form: PostedForm; file: Buffer; overCap: boolean }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let fileName: string | undefined;
    let fileBytes = 0;
    let seenFile = false;
    let overCap = false;
    const parser = busboy({ headers: req.headers, limits: { fileSize: maxFileBytes, files: 1 } });
    parser.on("field", (name, value) => {
      // S3 ignores fields after the file.
      if (!seenFile) fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || seenFile) {
        stream.resume();
        return;
      }
      seenFile = true;
      fileName = info.filename;
      stream.on("data", (chunk: Buffer) => {
        fileBytes += chunk.length;
        chunks.push(chunk);
      });
      stream.on("limit", () => {
        overCap = true;
      });
    });
    parser.on("error", reject);
    parser.on("close", () => {
      if (!seenFile) reject(new Error("POST requires exactly one file upload per request."));
      else resolve({ form: { fields, fileName, fileBytes: overCap ? maxFileBytes + 1 : fileBytes }, file: Buffer.concat(chunks), overCap });
    });
    req.pipe(parser);
  });
}

function sendError(res: ServerResponse, verdict: Extract<PolicyVerdict, { ok: false }>): void {
  res.writeHead(verdict.status, { "content-type": "application/xml", ...CORS });
  res.end(s3ErrorXml(verdict, randomBytes(8).toString("hex").toUpperCase()));
}

function passThrough(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = httpRequest(
    { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`local S3 unreachable: ${error.message}`);
  });
  req.pipe(upstream);
}

export async function startS3PostFront(options: S3PostFrontOptions): Promise<S3PostFront> {
  const target = new URL(options.s3Config.endpoint);
  const s3 = new S3Client(options.s3Config);
  const now = options.now ?? (() => new Date());

  const handleForm = async (req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> => {
    let posted;
    try {
      posted = await readForm(req, options.maxFileBytes);
    } catch (error) {
      sendError(res, {
        ok: false,
        status: 400,
        code: "MalformedPOSTRequest",
        message: `The body of your POST request is not well-formed multipart/form-data: ${(error as Error).message}`,
      });
      return;
    }
    const verdict = verifyPostPolicy(posted.form, { bucket, secrets: options.secrets, now: now() });
    if (!verdict.ok) {
      sendError(res, verdict);
      return;
    }
    if (posted.overCap) {
      sendError(res, {
        ok: false,
        status: 400,
        code: "EntityTooLarge",
        message: `The local S3 takes files up to ${options.maxFileBytes} bytes`,
        extra: { MaxSizeAllowed: String(options.maxFileBytes) },
      });
      return;
    }
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: verdict.key,
        Body: posted.file,
        ContentType: verdict.contentType ?? "binary/octet-stream",
        Metadata: verdict.metadata,
      }),
    );
    const location = `${options.s3Config.endpoint.replace(/\/+$/, "")}/${bucket}/${verdict.key.split("/").map(encodeURIComponent).join("/")}`;
    res.writeHead(204, { ...CORS, etag: put.ETag ?? "", location });
    res.end();
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const bucket = /^\/([^/]+)\/?$/.exec(path)?.[1];
    const isForm = req.method === "POST" && bucket !== undefined && /^multipart\/form-data/i.test(req.headers["content-type"] ?? "");
    if (req.method === "OPTIONS") {
      res.writeHead(200, { ...CORS, "access-control-allow-methods": "POST, GET, HEAD", "access-control-allow-headers": "*" });
      res.end();
    } else if (isForm) {
      handleForm(req, res, decodeURIComponent(bucket)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain", ...CORS });
        res.end(`local S3 front: ${String(error)}`);
      });
    } else {
      passThrough(req, res, target);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      s3.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
