// The thumbnail function's settings: its environment as
// contracts/environments.ts describes it, read once per container.
import { EnvVarError, FUNCTION_ENVIRONMENTS, ThumbnailConfigError, readEnvironment, type Env } from "../../contracts";
import { buildSpecs, type ImageLimits, type ThumbnailSpec } from "./image";

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

const VARS = FUNCTION_ENVIRONMENTS.thumbnails;

export function readThumbnailConfig(env: Env): ThumbnailHandlerConfig {
  let e: ReturnType<typeof readEnvironment<typeof VARS>>;
  try {
    e = readEnvironment(VARS, env);
  } catch (error) {
    // The thumbnail rules' messages already name the setting and the fix.
    if (error instanceof ThumbnailConfigError) throw new Error(`Invalid thumbnail configuration: ${error.message}`, { cause: error });
    throw error;
  }
  if (e.rawBucket === e.thumbnailsBucket) {
    throw new EnvVarError(VARS.thumbnailsBucket.name, e.thumbnailsBucket, `a bucket other than ${VARS.rawBucket.name}: thumbnails written to the raw bucket would notify this function again`);
  }
  return {
    rawBucket: e.rawBucket,
    thumbnailsBucket: e.thumbnailsBucket,
    thumbnailsBaseUrl: e.baseUrl.replace(/\/+$/, ""),
    specs: buildSpecs(e.sizes, e.formats),
    limits: { maxInputBytes: e.maxInputBytes, maxInputPixels: e.maxInputPixels },
  };
}

/** S3_ENDPOINT and S3_FORCE_PATH_STYLE point the function at a local S3 (the local pipeline). */
export function readS3EndpointConfig(env: Env): S3EndpointConfig {
  const e = readEnvironment({ s3Endpoint: VARS.s3Endpoint, s3ForcePathStyle: VARS.s3ForcePathStyle }, env);
  return { ...(e.s3Endpoint !== undefined ? { endpoint: e.s3Endpoint } : {}), forcePathStyle: e.s3ForcePathStyle };
}
