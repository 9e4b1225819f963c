// The thumbnail function's settings (docs/contracts.md), read once per container.
import { EnvVarError, requiredString, type Env } from "../shared/env";
import { isHttpUrl } from "../shared/s3-client";

export { readS3EndpointConfig, type S3EndpointConfig } from "../shared/s3-client";
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
