// The S3 client of a function: AWS by default, or the local S3 named by
// S3_ENDPOINT (+ S3_FORCE_PATH_STYLE) in local runs. Sharp-free, so every
// function that talks to S3 can bundle it.
import { S3Client } from "@aws-sdk/client-s3";
import { LOCAL_S3_ENVIRONMENT, readEnvironment, type Env } from "../../contracts";

export interface S3EndpointConfig {
  /** Set for local runs (s3rver); AWS otherwise. */
  endpoint?: string;
  forcePathStyle: boolean;
}

/** S3_ENDPOINT and S3_FORCE_PATH_STYLE point the function at a local S3 (the local pipeline). */
export function readS3EndpointConfig(env: Env): S3EndpointConfig {
  const e = readEnvironment(LOCAL_S3_ENVIRONMENT, env);
  return { ...(e.s3Endpoint !== undefined ? { endpoint: e.s3Endpoint } : {}), forcePathStyle: e.s3ForcePathStyle };
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
