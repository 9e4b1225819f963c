// HTTP plumbing of the API: API Gateway HTTP API (payload format 2.0)
// responses, JSON and problem bodies, ETags and conditional GETs.
import { createHash } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { PROBLEM_CONTENT_TYPE, type Problem } from "./problem";

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export function problem(p: Problem, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode: p.status, headers: { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store", ...headers }, body: JSON.stringify(p) };
}

/** A strong ETag of the exact body sent. */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

/** If-None-Match matches (RFC 9110 weak comparison): `*`, or any listed tag equal to ours ignoring W/. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || strip(tag) === strip(etag));
}

/** Headers by lower-case name (API Gateway lower-cases them already; local callers may not). */
export function header(event: Pick<APIGatewayProxyEventV2, "headers">, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function bodyText(event: Pick<APIGatewayProxyEventV2, "body" | "isBase64Encoded">): string | undefined {
  if (event.body === undefined) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

/**
 * Who is calling, for scoping Idempotency-Keys: the IAM principal or the JWT
 * issuer + subject the authorizer verified; "anonymous" only on a route the
 * stack opened on purpose (and locally).
 */
export function callerOf(event: APIGatewayProxyEventV2): string {
  const authorizer = (event.requestContext as { authorizer?: { iam?: { userArn?: string }; jwt?: { claims?: Record<string, unknown> } } }).authorizer;
  const arn = authorizer?.iam?.userArn;
  if (typeof arn === "string" && arn !== "") return `iam:${arn}`;
  const claims = authorizer?.jwt?.claims;
  if (claims && typeof claims.sub === "string") return `jwt:${String(claims.iss ?? "")}:${claims.sub}`;
  return "anonymous";
}
