// The api function's settings, read once per container. Every environment
// variable it reads is named here (API_ENV), so the program, the local server
// and the tests set the same names.
import { DEFAULT_LIMITS } from "../thumbnails/image/config";
import { EnvVarError, integer, optionalString, requiredString, type Env } from "../shared/env";
import { didYouMean } from "../shared/suggest";

export const API_ENV = {
  rawBucket: "RAW_BUCKET",
  uploadPrefix: "UPLOAD_PREFIX",
  maxInputBytes: "MAX_INPUT_BYTES",
  contentTypes: "UPLOAD_CONTENT_TYPES",
  expirySeconds: "UPLOAD_EXPIRY_SECONDS",
  publicUrl: "API_PUBLIC_URL",
} as const;

/** Content types of the input formats the thumbnail function decodes (handlers/thumbnails/image: InputFormat). */
export const UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/tiff"] as const;
export const DEFAULT_UPLOAD_PREFIX = "uploads/";
/** Short: the form is a capability to write one key. AWS allows up to 7 days; minutes are plenty for a browser. */
export const DEFAULT_UPLOAD_EXPIRY_SECONDS = 300;
export const MAX_UPLOAD_EXPIRY_SECONDS = 3600;

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

export function readApiConfig(env: Env): ApiConfig {
  const rawBucket = requiredString(env, API_ENV.rawBucket, "the name of the raw bucket uploads go to");
  const uploadPrefix = optionalString(env, API_ENV.uploadPrefix) ?? DEFAULT_UPLOAD_PREFIX;
  if (!/^[A-Za-z0-9._-]+\/$/.test(uploadPrefix)) {
    throw new EnvVarError(API_ENV.uploadPrefix, uploadPrefix, 'one folder name ending in "/", e.g. uploads/');
  }
  const listed = optionalString(env, API_ENV.contentTypes);
  const contentTypes = listed === undefined ? [...UPLOAD_CONTENT_TYPES] : listed.split(",").map((t) => t.trim().toLowerCase());
  for (const type of contentTypes) {
    if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(type)) {
      throw new EnvVarError(API_ENV.contentTypes, listed, `a comma list of ${UPLOAD_CONTENT_TYPES.join(", ")}${didYouMean(type, UPLOAD_CONTENT_TYPES)}`);
    }
  }
  const publicUrl = optionalString(env, API_ENV.publicUrl);
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new EnvVarError(API_ENV.publicUrl, publicUrl, "an absolute http(s) URL such as http://127.0.0.1:8080");
  }
  return {
    rawBucket,
    uploadPrefix,
    maxInputBytes: integer(env, API_ENV.maxInputBytes, DEFAULT_LIMITS.maxInputBytes, { min: 1, max: 5 * 1024 ** 3 }),
    contentTypes,
    expirySeconds: integer(env, API_ENV.expirySeconds, DEFAULT_UPLOAD_EXPIRY_SECONDS, { min: 30, max: MAX_UPLOAD_EXPIRY_SECONDS }),
    ...(publicUrl !== undefined ? { publicUrl: publicUrl.replace(/\/+$/, "") } : {}),
  };
}
