// The S3 client of a function: AWS by default, or the local S3 named by
// S3_ENDPOINT (+ S3_FORCE_PATH_STYLE) in local runs. Sharp-free, so every
// function that talks to S3 can bundle it.
import { S3Client } from "@aws-sdk/client-s3";
import { booleanFlag, EnvVarError, optionalString, type Env } from "./env";

export interface S3EndpointConfig {
  /** Set for local runs (s3rver); AWS otherwise. */
  endpoint?: string;
  forcePathStyle: boolean;
}

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

/** S3_ENDPOINT and S3_FORCE_PATH_STYLE point the function at a local S3 (the local pipeline). */
export function readS3EndpointConfig(env: Env): S3EndpointConfig {
  const endpoint = optionalString(env, "S3_ENDPOINT");
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    throw new EnvVarError("S3_ENDPOINT", endpoint, "an absolute http(s) URL such as http://127.0.0.1:4569");
  }
  return { ...(endpoint !== undefined ? { endpoint } : {}), forcePathStyle: booleanFlag(env, "S3_FORCE_PATH_STYLE", false) };
}

/** An S3 client for the environment: AWS, or S3_ENDPOINT (+ S3_FORCE_PATH_STYLE) for local runs. */
export function s3ClientFromEnv(env: Env = process.env): S3Client {
  const endpoint = readS3EndpointConfig(env);
  return new S3Client({
    ...(endpoint.endpoint !== undefined ? { endpoint: endpoint.endpoint } : {}),
    forcePathStyle: endpoint.forcePathStyle,
    // Fail a stuck connection fast: the caller retries rather than the function timing out.
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
  });
}
