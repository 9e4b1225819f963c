// The api function's settings: its environment as contracts/environments.ts
// describes it, read once per container, so the program, the local server and
// the tests set the same names.
import { FUNCTION_ENVIRONMENTS, readEnvironment, type Env } from "../../contracts";

export { DEFAULT_UPLOAD_EXPIRY_SECONDS, DEFAULT_UPLOAD_PREFIX, MAX_UPLOAD_EXPIRY_SECONDS, UPLOAD_CONTENT_TYPES } from "../../contracts";

export interface ApiConfig {
  rawBucket: string;
  /** Key prefix of every upload; ends in "/". */
  uploadPrefix: string;
  /** The input cap: content-length-range's upper bound. */
  maxInputBytes: number;
  contentTypes: readonly string[];
  expirySeconds: number;
  /** Base of statusUrl when set (local runs); else https://<the request's domain>. */
  publicUrl?: string;
}

const VARS = FUNCTION_ENVIRONMENTS.api;

export function readApiConfig(env: Env): ApiConfig {
  const e = readEnvironment(
    {
      rawBucket: VARS.rawBucket,
      uploadPrefix: VARS.uploadPrefix,
      maxInputBytes: VARS.maxInputBytes,
      contentTypes: VARS.contentTypes,
      expirySeconds: VARS.expirySeconds,
      publicUrl: VARS.publicUrl,
    },
    env,
  );
  return {
    rawBucket: e.rawBucket,
    // The reader's fallback makes it always set.
    uploadPrefix: e.uploadPrefix as string,
    maxInputBytes: e.maxInputBytes,
    contentTypes: e.contentTypes,
    expirySeconds: e.expirySeconds,
    ...(e.publicUrl !== undefined ? { publicUrl: e.publicUrl.replace(/\/+$/, "") } : {}),
  };
}
