// The front door of the local pipeline: the api handler served on 127.0.0.1
// (local/api-server.ts) and the local S3 as uploaders reach it, with S3's
// POST policy checks (local/s3-post-front.ts). The presigned forms the API
// hands out point at that front, so a form is refused locally exactly when S3
// would refuse it.
import { S3Client } from "@aws-sdk/client-s3";
import { FUNCTION_ENVIRONMENTS, writeSomeEnvironment } from "../contracts";
import { createApiHandler, readApiConfig, type ApiHandler } from "../handlers/api";
import { createDatabaseClient, readDatabaseSettings } from "../handlers/shared/db";
import { createLogger } from "../handlers/shared/logger";
import { startLocalApiServer } from "./api-server";
import { LOCAL_CREDENTIALS, type LocalAws } from "./local-aws";
import { startS3PostFront } from "./s3-post-front";

export interface LocalApi {
  /** Where the API and the page are served. */
  url: string;
  /** The local S3 as uploaders see it (POST policies enforced). */
  s3Endpoint: string;
  /** The api function's environment (handlers/api/config.ts names). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface LocalApiOptions {
  aws: LocalAws;
  rawBucket: string;
  databaseUrl: string;
  /** The input cap the thumbnails function has: the forms' content-length-range bound. */
  maxInputBytes: number;
  port?: number;
  /** Extra JSON routes (the local event bus). */
  extraJson?: Record<string, () => unknown>;
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const front = await startS3PostFront({
    s3Config: { ...options.aws.s3Config, endpoint: options.aws.s3Endpoint },
    secrets: { [LOCAL_CREDENTIALS.accessKeyId]: LOCAL_CREDENTIALS.secretAccessKey },
    // Room for a form over the cap, so S3's EntityTooLarge (not a local limit) is what an over-size upload gets.
    maxFileBytes: options.maxInputBytes + 1024 * 1024,
  });
  // The handler needs the server's URL (statusUrl), so it is built once the server listens.
  const ready: { handler?: ApiHandler } = {};
  const server = await startLocalApiServer({
    handler: (event) => {
      if (ready.handler === undefined) throw new Error("the local API is starting");
      return ready.handler(event);
    },
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.extraJson ? { extraJson: options.extraJson } : {}),
  });
  const env: Record<string, string> = writeSomeEnvironment(FUNCTION_ENVIRONMENTS.api, {
    rawBucket: options.rawBucket,
    maxInputBytes: options.maxInputBytes,
    publicUrl: server.url,
    url: options.databaseUrl,
    tls: "disable",
    s3Endpoint: front.endpoint,
    s3ForcePathStyle: true,
    serviceName: "api",
  });
  const logger = createLogger({ env, defaultServiceName: "api" });
  const database = createDatabaseClient({ settings: readDatabaseSettings(env), applicationName: "api" });
  // Signs with the local credentials, as the function signs with its role's.
  const s3 = new S3Client({ ...options.aws.s3Config, endpoint: front.endpoint });
  ready.handler = createApiHandler({ db: database, s3, config: readApiConfig(env), logger });
  return {
    url: server.url,
    s3Endpoint: front.endpoint,
    env,
    async stop() {
      await server.stop();
      await front.stop();
      s3.destroy();
      await database.end();
    },
  };
}
