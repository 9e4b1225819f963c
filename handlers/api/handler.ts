// The api function: POST /uploads and GET /images/{imageId} behind API
// Gateway (HTTP API, payload format 2.0). Thin: parsing, decisions, SQL and
// S3 calls live in their own modules; this wires them per route.
import { randomUUID } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { isConnectionError } from "../shared/db";
import { newestRowOfKey, type Queryable } from "../shared/images-table";
import { errorFields, type Logger } from "../shared/logger";
import type { ApiConfig } from "./config";
import { bodyText, callerOf, etagOf, header, json, notModified, problem, type HttpResponse } from "./http";
import { cacheControlFor, imageStatus } from "./image-status";
import { presignUpload } from "./presign";
import { invalidRequest, PROBLEM_TYPES } from "./problem";
import { IMAGE_STATUS_ROUTE, matchRoute, UPLOADS_ROUTE } from "./routes";
import { objectArrived } from "./raw-object";
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey, parseUploadRequest } from "./upload-request";
import { planUpload, requestHash } from "./upload-plan";
import { findUpload, findUploadByIdempotencyKey, insertUpload, type StoredUpload } from "./uploads-table";

export interface ApiHandlerDeps {
  db: Queryable;
  s3: S3Client;
  config: ApiConfig;
  logger: Logger;
  newId?: () => string;
  now?: () => Date;
}

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface UploadCreated {
  imageId: string;
  correlationId: string;
  upload: { url: string; fields: Record<string, string>; expiresAt: string };
  statusUrl: string;
}

function statusUrl(config: ApiConfig, event: APIGatewayProxyEventV2, imageId: string): string {
  const base = config.publicUrl ?? `https://${event.requestContext.domainName}`;
  return `${base}/images/${imageId}`;
}

export function createApiHandler(deps: ApiHandlerDeps): ApiHandler {
  const newId = deps.newId ?? randomUUID;
  const now = deps.now ?? (() => new Date());
  const { config, db } = deps;

  const replay = (stored: StoredUpload, hash: string): HttpResponse => {
    if (stored.requestHash !== hash) {
      return problem({
        type: PROBLEM_TYPES.idempotencyKeyReused,
        title: "Idempotency-Key already used for a different request",
        status: 422,
        detail: `This ${IDEMPOTENCY_KEY_HEADER} created upload ${stored.imageId} with other contentType, bytes or correlationId; send a new key for a new upload.`,
        errors: [{ pointer: `header:${IDEMPOTENCY_KEY_HEADER}`, detail: "already used for a different request" }],
      });
    }
    return json(201, stored.response, { "idempotent-replayed": "true", "cache-control": "no-store" });
  };

  const createUpload = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const request = parseUploadRequest(bodyText(event), config);
    const key = parseIdempotencyKey(header(event, IDEMPOTENCY_KEY_HEADER));
    const errors = [...(request.ok ? [] : request.errors), ...(key.ok ? [] : key.errors)];
    if (!request.ok || !key.ok) return problem(invalidRequest(errors, event.rawPath));
    const caller = callerOf(event);
    const hash = requestHash(request.value);
    if (key.value !== undefined) {
      const earlier = await findUploadByIdempotencyKey(db, caller, key.value);
      if (earlier) return replay(earlier, hash);
    }
    const plan = planUpload(request.value, config, { imageId: newId(), mintedCorrelationId: newId() }, now());
    const form = await presignUpload(deps.s3, plan);
    const body: UploadCreated = { imageId: plan.imageId, correlationId: plan.correlationId, upload: form, statusUrl: statusUrl(config, event, plan.imageId) };
    const stored = await insertUpload(db, {
      imageId: plan.imageId,
      caller,
      idempotencyKey: key.value,
      requestHash: hash,
      rawBucket: plan.bucket,
      rawKey: plan.key,
      correlationId: plan.correlationId,
      contentType: plan.contentType,
      maxBytes: plan.maxBytes,
      expiresAt: plan.expiresAt,
      response: body,
    });
    // A concurrent retry with the same key won the insert: answer as it did.
    if (!stored.inserted) return replay(stored.existing, hash);
    deps.logger.info("upload issued", {
      imageId: plan.imageId,
      correlationId: plan.correlationId,
      key: plan.key,
      maxBytes: plan.maxBytes,
      contentType: plan.contentType,
    });
    return json(201, body, { location: body.statusUrl, "cache-control": "no-store" });
  };

  const getStatus = async (event: APIGatewayProxyEventV2, imageId: string): Promise<HttpResponse> => {
    const upload = UUID.test(imageId) ? await findUpload(db, imageId) : undefined;
    if (upload === undefined) {
      return problem({
        type: PROBLEM_TYPES.notFound,
        title: "No such image",
        status: 404,
        detail: `No upload was ever issued with id ${JSON.stringify(imageId)}; ids come from POST /uploads.`,
        instance: event.rawPath,
      });
    }
    const row = await newestRowOfKey(db, upload.rawBucket, upload.rawKey);
    const arrived = row === undefined ? await objectArrived(deps.s3, upload.rawBucket, upload.rawKey) : true;
    const body = JSON.stringify(imageStatus(upload, row, arrived, now()));
    const etag = etagOf(body);
    const headers = { etag, "cache-control": cacheControlFor(JSON.parse(body).status) };
    if (notModified(header(event, "if-none-match"), etag)) return { statusCode: 304, headers, body: "" };
    return { statusCode: 200, headers: { "content-type": "application/json", ...headers }, body };
  };

  return async (event) => {
    const matched =
      event.routeKey && event.routeKey !== "$default"
        ? { route: event.routeKey, params: event.pathParameters ?? {} }
        : matchRoute(event.requestContext.http.method, event.rawPath);
    try {
      if (matched?.route === UPLOADS_ROUTE) return await createUpload(event);
      if (matched?.route === IMAGE_STATUS_ROUTE) return await getStatus(event, matched.params.imageId ?? "");
      return problem({
        type: PROBLEM_TYPES.notFound,
        title: "No such route",
        status: 404,
        detail: `${event.requestContext.http.method} ${event.rawPath} is not a route; see ${UPLOADS_ROUTE} and ${IMAGE_STATUS_ROUTE}.`,
      });
    } catch (error) {
      const unavailable = isConnectionError(error);
      deps.logger.error("request failed", { route: matched?.route, unavailable, ...errorFields(error) });
      return problem(
        {
          type: PROBLEM_TYPES.unavailable,
          title: "Temporarily unavailable",
          status: 503,
          detail: "The request could not be completed; retry it (with the same Idempotency-Key) shortly.",
        },
        { "retry-after": "5" },
      );
    }
  };
}
