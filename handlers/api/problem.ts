// RFC 9457 problem details: what every refusal of the API looks like. The
// `errors` extension names each bad field by JSON pointer into the request
// (or `header:<name>` for a header), with what to send instead.
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface FieldProblem {
  /** A JSON pointer into the request body ("/contentType"), or "header:Idempotency-Key". */
  pointer: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldProblem[];
}

/** Problem types: stable URIs clients can switch on (documented in the OpenAPI document). */
export const PROBLEM_TYPES = {
  invalidRequest: "urn:thumbnail-pipeline:problem:invalid-request",
  idempotencyKeyReused: "urn:thumbnail-pipeline:problem:idempotency-key-reused",
  notFound: "urn:thumbnail-pipeline:problem:not-found",
  unavailable: "urn:thumbnail-pipeline:problem:unavailable",
} as const;

export function invalidRequest(errors: FieldProblem[], instance?: string): Problem {
  const fields = errors.map((e) => e.pointer).join(", ");
  return {
    type: PROBLEM_TYPES.invalidRequest,
    title: "The request is invalid",
    status: 400,
    detail: `Fix ${fields}: ${errors.map((e) => e.detail).join("; ")}`,
    errors,
    ...(instance ? { instance } : {}),
  };
}
