// The thumbnail function's settings (docs/contracts.md), read once per container.
import { EnvVarError, booleanFlag, optionalString, requiredString, type Env } from "../shared/env";
import { ThumbnailConfigError, thumbnailConfigFromEnv, type ImageLimits, type ThumbnailSpec } from "./image";

export interface ThumbnailHandlerConfig {
  /** The only bucket whose events the function acts on. */
  rawBucket: string;
  thumbnailsBucket: string;
  /** Public base URL of the thumbnails, no trailing slash. */
  thumbnailsBaseUrl: string;
  /** Every size in every format, primary format first. */
  specs: ThumbnailSpec[];
  limits: ImageLimits;
}

export interface S3EndpointConfig {
  /** Set for local runs (s3rver); AWS otherwise. */
  endpoint?: string;
  forcePathStyle: boolean;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

export function readThumbnailConfig(env: Env): ThumbnailHandlerConfig {
  const rawBucket = requiredString(env, "RAW_BUCKET", "the name of the raw bucket whose uploads this function processes");
  const thumbnailsBucket = requiredString(env, "THUMBNAILS_BUCKET", "the name of the thumbnails bucket");
  if (rawBucket === thumbnailsBucket) {
    throw new EnvVarError("THUMBNAILS_BUCKET", thumbnailsBucket, "a bucket other than RAW_BUCKET: thumbnails written to the raw bucket would notify this function again");
  }
  const base = requiredString(env, "THUMBNAILS_BASE_URL", "the public base URL of the thumbnails, e.g. https://d111111abcdef8.cloudfront.net");
  if (!isHttpUrl(base)) {
    throw new EnvVarError("THUMBNAILS_BASE_URL", base, "an absolute http(s) URL such as https://d111111abcdef8.cloudfront.net");
  }
  let images: { specs: ThumbnailSpec[]; limits: ImageLimits };
  try {
    images = thumbnailConfigFromEnv({ ...env });
  } catch (error) {
    // The image core's messages already name the setting and the fix.
    if (error instanceof ThumbnailConfigError) throw new Error(`Invalid thumbnail configuration: ${error.message}`, { cause: error });
    throw error;
  }
  return { rawBucket, thumbnailsBucket, thumbnailsBaseUrl: base.replace(/\/+$/, ""), ...images };
}

/** S3_ENDPOINT and S3_FORCE_PATH_STYLE point the function at a local S3 (the local pipeline). */
export function readS3EndpointConfig(env: Env): S3EndpointConfig {
  const endpoint = optionalString(env, "S3_ENDPOINT");
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    throw new EnvVarError("S3_ENDPOINT", endpoint, "an absolute http(s) URL such as http://127.0.0.1:4569");
  }
  return { ...(endpoint !== undefined ? { endpoint } : {}), forcePathStyle: booleanFlag(env, "S3_FORCE_PATH_STYLE", false) };
}
