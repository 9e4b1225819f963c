// The thumbnail function's settings: its environment as
// contracts/environments.ts describes it, read once per container.
import { EnvVarError, FUNCTION_ENVIRONMENTS, ThumbnailConfigError, readEnvironment, type Env } from "../../contracts";
import { buildSpecs, type ImageLimits, type ThumbnailSpec } from "./image";

export { readS3EndpointConfig, type S3EndpointConfig } from "../shared/s3-client";

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
    throw new EnvVarError(
      VARS.thumbnailsBucket.name,
      e.thumbnailsBucket,
      `a bucket other than ${VARS.rawBucket.name}: thumbnails written to the raw bucket would notify this function again`,
    );
  }
  return {
    rawBucket: e.rawBucket,
    thumbnailsBucket: e.thumbnailsBucket,
    thumbnailsBaseUrl: e.baseUrl.replace(/\/+$/, ""),
    specs: buildSpecs(e.sizes, e.formats),
    limits: { maxInputBytes: e.maxInputBytes, maxInputPixels: e.maxInputPixels },
  };
}
