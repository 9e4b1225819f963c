// Entry point of the `api` function (handler string index.handler), behind
// the region's HTTP API. Clients are built once per container and reused.
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { databaseFromEnv } from "../shared/db";
import type { Env } from "../../contracts";
import { createLogger, errorFields, type Logger } from "../shared/logger";
import { s3ClientFromEnv } from "../shared/s3-client";
import { readApiConfig } from "./config";
import { createApiHandler, type ApiHandler, type ApiHandlerDeps } from "./handler";
import type { HttpResponse } from "./http";

export { createApiHandler, type ApiHandler, type ApiHandlerDeps, type UploadCreated } from "./handler";
export { readApiConfig, type ApiConfig } from "./config";

/** Everything the handler needs, from the environment (handlers/api/config.ts, docs/contracts.md). */
export function apiDepsFromEnv(env: Env = process.env, logger: Logger = createLogger({ env, defaultServiceName: "api" })): ApiHandlerDeps {
  return {
    db: databaseFromEnv(env, { onPoolError: (error) => logger.warn("idle database connection dropped; the next query reconnects", errorFields(error)) }),
    s3: s3ClientFromEnv(env),
    config: readApiConfig(env),
    logger,
  };
}

let containerHandler: ApiHandler | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
  if (containerHandler === undefined) {
    const logger = createLogger({ defaultServiceName: "api" });
    try {
      containerHandler = createApiHandler(apiDepsFromEnv(process.env, logger));
    } catch (error) {
      logger.error("configuration error", { error });
      throw error;
    }
  }
  return containerHandler(event);
}
