// POST /uploads: what the caller sent, checked field by field. Pure: a
// request in, the values or every problem with it out.
import { CORRELATION_ID_PATTERN, isCorrelationId } from "../shared/correlation-id";
import { didYouMean, IDEMPOTENCY_KEY_HEADER } from "../../contracts";
import type { ApiConfig } from "./config";
import type { FieldProblem } from "./problem";

export interface UploadRequest {
  contentType: string;
  /** The size the caller announced; the form then accepts no more than this. */
  bytes?: number;
  correlationId?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldProblem[] };

export { IDEMPOTENCY_KEY_HEADER };
/** Printable ASCII without quotes, as the IETF idempotency-key draft's examples; long enough for a UUID or a hash. */
const IDEMPOTENCY_KEY = /^[\x21\x23-\x7e]{1,255}$/;
const KNOWN_FIELDS = ["contentType", "bytes", "correlationId"];

export function parseUploadRequest(body: string | undefined, config: Pick<ApiConfig, "contentTypes" | "maxInputBytes">): Parsed<UploadRequest> {
  if (body === undefined || body.trim() === "") {
    return { ok: false, errors: [{ pointer: "", detail: 'send a JSON object such as {"contentType": "image/jpeg"}' }] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { ok: false, errors: [{ pointer: "", detail: `the body is not JSON (${(error as Error).message})` }] };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, errors: [{ pointer: "", detail: "the body must be a JSON object" }] };
  }
  const input = parsed as Record<string, unknown>;
  const errors: FieldProblem[] = [];
  for (const name of Object.keys(input)) {
    if (!KNOWN_FIELDS.includes(name))
      errors.push({ pointer: `/${name}`, detail: `unknown field${didYouMean(name, KNOWN_FIELDS)}; the fields are ${KNOWN_FIELDS.join(", ")}` });
  }
  const contentType = typeof input.contentType === "string" ? input.contentType.trim().toLowerCase() : undefined;
  if (contentType === undefined || !config.contentTypes.includes(contentType)) {
    const shown = input.contentType === undefined ? "missing" : `${JSON.stringify(input.contentType)} is not accepted`;
    errors.push({
      pointer: "/contentType",
      detail: `${shown}; send one of ${config.contentTypes.join(", ")}${didYouMean(contentType ?? "", config.contentTypes)}`,
    });
  }
  const bytes = input.bytes;
  if (bytes !== undefined && (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes < 1 || bytes > config.maxInputBytes)) {
    errors.push({ pointer: "/bytes", detail: `${JSON.stringify(bytes)} is not a whole number of bytes from 1 to ${config.maxInputBytes} (the input cap)` });
  }
  const correlationId = input.correlationId;
  if (correlationId !== undefined && !isCorrelationId(correlationId)) {
    errors.push({
      pointer: "/correlationId",
      detail: `must match ${CORRELATION_ID_PATTERN.source} (1 to 128 letters, digits or ._:@/+=-), or be left out to have one minted`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      contentType: contentType as string,
      ...(typeof bytes === "number" ? { bytes } : {}),
      ...(typeof correlationId === "string" ? { correlationId } : {}),
    },
  };
}

/** The Idempotency-Key header: optional; when sent, it must be 1-255 printable characters. */
export function parseIdempotencyKey(value: string | undefined): Parsed<string | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (!IDEMPOTENCY_KEY.test(value)) {
    return {
      ok: false,
      errors: [{ pointer: `header:${IDEMPOTENCY_KEY_HEADER}`, detail: "must be 1 to 255 printable ASCII characters without double quotes, e.g. a UUID" }],
    };
  }
  return { ok: true, value };
}
