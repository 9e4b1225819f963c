// S3's browser-form POST checks, as S3 documents them (Browser-Based Uploads
// Using POST, Signature Version 4), for the local S3, which stores whatever
// is posted (s3rver marks `policy` unimplemented). Pure: a parsed form in, the
// verdict S3 would give out, with S3's error code and message.
//
// Checked, in S3's order: the signature (SigV4 over the base64 policy with
// the credential's date, region and service), the expiration, that every
// form field is covered by a condition, every condition, and the file's size
// against content-length-range.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface PostedForm {
  /** Form fields by name as sent (names compare case-insensitively, values exactly). */
  fields: Record<string, string>;
  fileName: string | undefined;
  fileBytes: number;
}

export interface PolicyContext {
  bucket: string;
  /** Secret keys by access key id: the credentials the local servers accept. */
  secrets: Readonly<Record<string, string>>;
  now: Date;
}

export type PolicyVerdict =
  | { ok: true; key: string; contentType: string | undefined; metadata: Record<string, string> }
  | { ok: false; status: 400 | 403; code: string; message: string; extra?: Record<string, string> };

const NOT_COVERED = new Set(["x-amz-signature", "file", "policy"]);

type Condition = Record<string, unknown> | unknown[];

function refuse(status: 400 | 403, code: string, message: string, extra?: Record<string, string>): PolicyVerdict {
  return { ok: false, status, code, message, ...(extra ? { extra } : {}) };
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** SigV4 signing key for one day, region and service. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
}

export function verifyPostPolicy(form: PostedForm, context: PolicyContext): PolicyVerdict {
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(form.fields)) fields.set(name.toLowerCase(), value);
  const policyText = fields.get("policy");
  if (policyText === undefined) return refuse(403, "AccessDenied", "Bucket POST must contain a field named 'policy'.");

  // Signature first: nothing in an unsigned policy is worth reading.
  const algorithm = fields.get("x-amz-algorithm");
  const credential = fields.get("x-amz-credential");
  const signature = fields.get("x-amz-signature");
  if (algorithm !== "AWS4-HMAC-SHA256" || credential === undefined || signature === undefined) {
    return refuse(400, "InvalidArgument", "POST requires x-amz-algorithm AWS4-HMAC-SHA256, x-amz-credential and x-amz-signature.");
  }
  const [accessKeyId, date, region, service, terminator] = credential.split("/");
  const secret = accessKeyId === undefined ? undefined : context.secrets[accessKeyId];
  if (secret === undefined) return refuse(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  if (!date || !region || service !== "s3" || terminator !== "aws4_request")
    return refuse(400, "AuthorizationQueryParametersError", "x-amz-credential is not <key>/<yyyymmdd>/<region>/s3/aws4_request.");
  const expected = hmac(signingKey(secret, date, region, service), policyText).toString("hex");
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    return refuse(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }

  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyText, "base64").toString("utf8")) as typeof policy;
  } catch {
    return refuse(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.");
  }
  if (typeof policy.expiration !== "string" || Number.isNaN(Date.parse(policy.expiration)))
    return refuse(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.");
  if (!Array.isArray(policy.conditions)) return refuse(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.");
  if (context.now.getTime() > Date.parse(policy.expiration)) return refuse(403, "AccessDenied", "Invalid according to Policy: Policy expired.");

  const key = fields.get("key")?.replace("${filename}", form.fileName ?? "");
  if (key === undefined || key === "") return refuse(400, "InvalidArgument", "Bucket POST must contain a field named 'key'.");
  // What each condition is matched against: the form's fields, the bucket, and the key as substituted.
  const values = new Map(fields);
  values.set("bucket", context.bucket);
  values.set("key", key);

  const covered = new Set<string>(["bucket"]);
  let range: { min: number; max: number } | undefined;
  for (const condition of policy.conditions as Condition[]) {
    const failed = () => refuse(403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`);
    if (Array.isArray(condition)) {
      const [op, subject, operand] = condition as [unknown, unknown, unknown];
      if (op === "content-length-range") {
        if (typeof subject !== "number" || typeof operand !== "number")
          return refuse(400, "InvalidPolicyDocument", "Invalid Policy: content-length-range needs two numbers.");
        range = { min: subject, max: operand };
        continue;
      }
      if ((op !== "eq" && op !== "starts-with") || typeof subject !== "string" || !subject.startsWith("$") || typeof operand !== "string") {
        return refuse(400, "InvalidPolicyDocument", `Invalid Policy: Invalid Condition: ${JSON.stringify(condition)}`);
      }
      const name = subject.slice(1).toLowerCase();
      covered.add(name);
      const actual = values.get(name) ?? "";
      if (op === "eq" ? actual !== operand : !actual.startsWith(operand)) return failed();
    } else if (typeof condition === "object" && condition !== null) {
      for (const [rawName, operand] of Object.entries(condition)) {
        const name = rawName.toLowerCase();
        covered.add(name);
        if (values.get(name) !== operand) return failed();
      }
    } else {
      return refuse(400, "InvalidPolicyDocument", `Invalid Policy: Invalid Condition: ${JSON.stringify(condition)}`);
    }
  }
  const extra = [...fields.keys()].filter((name) => !NOT_COVERED.has(name) && !name.startsWith("x-ignore-") && !covered.has(name));
  if (extra.length > 0) return refuse(403, "AccessDenied", `Invalid according to Policy: Extra input fields: ${extra.join(", ")}`);
  if (range !== undefined) {
    if (form.fileBytes > range.max)
      return refuse(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
        ProposedSize: String(form.fileBytes),
        MaxSizeAllowed: String(range.max),
      });
    if (form.fileBytes < range.min)
      return refuse(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", {
        ProposedSize: String(form.fileBytes),
        MinSizeAllowed: String(range.min),
      });
  }

  const metadata: Record<string, string> = {};
  for (const [name, value] of fields) if (name.startsWith("x-amz-meta-")) metadata[name.slice("x-amz-meta-".length)] = value;
  return { ok: true, key, contentType: fields.get("content-type"), metadata };
}

/** S3's XML error body. */
export function s3ErrorXml(verdict: Extract<PolicyVerdict, { ok: false }>, requestId: string): string {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const extra = Object.entries(verdict.extra ?? {})
    .map(([name, value]) => `<${name}>${escape(value)}</${name}>`)
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${verdict.code}</Code><Message>${escape(verdict.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
}
