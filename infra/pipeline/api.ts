// The region's HTTP API (M16): API Gateway HTTP API in front of the api
// function, one route per handlers/api/routes.ts entry, each authorized (IAM
// by default, the stack's JWT authorizer when configured, none only for the
// routes api.openRoutes names), throttled, its access logs shipped like every
// log group, and alarmed on 5xx, latency and 4xx rate, each with a runbook.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_4XX_RATE, API_5XX_THRESHOLD, API_ALARM_METRICS, API_LATENCY_P99_MS, apiAlarmName, DIMENSIONS, IDEMPOTENCY_KEY_HEADER } from "../../contracts";
import { API_ROUTES } from "../../handlers/api/routes";
import type { ApiStackConfig } from "../api-config";
import { resourcePrefix } from "../naming";
import { createAlarm } from "./alarms";
import { logGroupArn } from "../arns";
import { arnScope, baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";
import type { PipelineFunction } from "./functions";
import type { PrivateBucket } from "./storage";
import type { LogShipping } from "./logs";

export interface RegionalApiArgs {
  ctx: RegionContext;
  logShipping: LogShipping;
  fn: PipelineFunction<"api">;
  /** The bucket uploads are posted to: it answers the browser origins' CORS requests when the stack names some. */
  rawBucket: PrivateBucket;
  config: ApiStackConfig;
  alertTopicArn: pulumi.Input<string>;
}

/** How a route is authorized: "NONE" only when the stack opened it explicitly. */
export function routeAuthorization(config: ApiStackConfig, route: (typeof API_ROUTES)[number]): "AWS_IAM" | "JWT" | "NONE" {
  if (config.openRoutes.includes(route)) return "NONE";
  return config.auth.kind === "jwt" ? "JWT" : "AWS_IAM";
}

export class RegionalApi extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;

  constructor(name: string, args: RegionalApiArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Api"), name, {}, options);
    // New with this component: no URN under the RegionalPipeline to alias.
    const ctx: RegionContext = { ...within(args.ctx, this), formerParent: this };
    const { config } = args;
    const prefix = resourcePrefix(ctx.cfg, ctx.region.name);

    const accessLogGroupName = `/aws/apigateway/${prefix}-api`;
    const accessLogs = new aws.cloudwatch.LogGroup(
      nameOf(ctx, "api-access-logs"),
      { name: accessLogGroupName, retentionInDays: ctx.cfg.logRetentionDays, kmsKeyId: args.logShipping.kmsKeyArn, tags: baseTags(ctx, "api-access-logs") },
      opts(ctx),
    );
    new aws.cloudwatch.LogSubscriptionFilter(
      nameOf(ctx, "api-access-log-shipping"),
      { name: `${prefix}-api-to-archive`, logGroup: accessLogs.name, filterPattern: "", destinationArn: args.logShipping.destinationArn },
      opts(ctx),
    );

    const api = new aws.apigatewayv2.Api(
      nameOf(ctx, "api"),
      {
        name: `${prefix}-api`,
        protocolType: "HTTP",
        description: `Upload and status API of the thumbnail pipeline in ${ctx.region.name}`,
        // API Gateway answers the preflight itself and adds these headers to every answer.
        ...(config.browserOrigins.length > 0 ? { corsConfiguration: browserCors(config.browserOrigins) } : {}),
        tags: baseTags(ctx, "api"),
      },
      opts(ctx),
    );
    if (config.browserOrigins.length > 0) {
      // A page posts the presigned form straight to the raw bucket; S3 answers only origins a CORS rule names.
      new aws.s3.BucketCorsConfiguration(
        nameOf(ctx, "raw-bucket-browser-uploads"),
        {
          bucket: args.rawBucket.bucket.id,
          corsRules: [{ allowedMethods: ["POST"], allowedOrigins: config.browserOrigins, allowedHeaders: ["*"], exposeHeaders: ["ETag"], maxAgeSeconds: 600 }],
        },
        opts(ctx),
      );
    }
    const authorizer =
      config.auth.kind === "jwt"
        ? new aws.apigatewayv2.Authorizer(
            nameOf(ctx, "api-jwt-authorizer"),
            {
              apiId: api.id,
              name: `${prefix}-jwt`,
              authorizerType: "JWT",
              identitySources: ["$request.header.Authorization"],
              jwtConfiguration: { issuer: config.auth.issuer, audiences: config.auth.audience },
            },
            opts(ctx),
          )
        : undefined;
    const integration = new aws.apigatewayv2.Integration(
      nameOf(ctx, "api-integration"),
      { apiId: api.id, integrationType: "AWS_PROXY", integrationUri: args.fn.lambda.arn, payloadFormatVersion: "2.0", timeoutMilliseconds: 10_000 },
      opts(ctx),
    );
    for (const route of API_ROUTES) {
      const authorizationType = routeAuthorization(config, route);
      new aws.apigatewayv2.Route(
        nameOf(
          ctx,
          `api-route-${route
            .replace(/[^A-Za-z]+/g, "-")
            .replace(/^-|-$/g, "")
            .toLowerCase()}`,
        ),
        {
          apiId: api.id,
          routeKey: route,
          target: pulumi.interpolate`integrations/${integration.id}`,
          authorizationType,
          ...(authorizationType === "JWT" && authorizer ? { authorizerId: authorizer.id } : {}),
        },
        opts(ctx),
      );
    }
    new aws.apigatewayv2.Stage(
      nameOf(ctx, "api-stage"),
      {
        apiId: api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: config.throttle.rateLimit,
          throttlingBurstLimit: config.throttle.burstLimit,
          detailedMetricsEnabled: false,
        },
        accessLogSettings: {
          // Built from the name, so the pack can verify where access logs go on a first preview.
          destinationArn: logGroupArn(arnScope(ctx), accessLogGroupName),
          // The fields an operator needs to follow one request; $context.authorizer.error says why an auth failed.
          format: JSON.stringify({
            requestId: "$context.requestId",
            ip: "$context.identity.sourceIp",
            caller: "$context.identity.caller",
            time: "$context.requestTime",
            routeKey: "$context.routeKey",
            status: "$context.status",
            latencyMs: "$context.responseLatency",
            integrationStatus: "$context.integrationStatus",
            integrationError: "$context.integrationErrorMessage",
            authorizerError: "$context.authorizer.error",
          }),
        },
        tags: baseTags(ctx, "api-stage"),
      },
      opts(ctx, { dependsOn: [accessLogs] }),
    );
    new aws.lambda.Permission(
      nameOf(ctx, "api-invoke-permission"),
      {
        action: "lambda:InvokeFunction",
        function: args.fn.lambda.name,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
      },
      opts(ctx),
    );

    const dims = { [DIMENSIONS.apiId]: api.id };
    const metric = API_ALARM_METRICS;
    createAlarm(ctx, "api-5xx-alarm", apiAlarmName(prefix, "5xx"), "api-5xx", `The ${ctx.region.name} HTTP API answered 5xx.`, args.alertTopicArn, {
      namespace: metric["5xx"].namespace,
      metricName: metric["5xx"].metricName,
      dimensions: dims,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: API_5XX_THRESHOLD,
      treatMissingData: "notBreaching",
    });
    createAlarm(
      ctx,
      "api-latency-alarm",
      apiAlarmName(prefix, "latency"),
      "api-latency",
      `The ${ctx.region.name} HTTP API's p99 latency was above ${API_LATENCY_P99_MS} ms.`,
      args.alertTopicArn,
      {
        namespace: metric.latency.namespace,
        metricName: metric.latency.metricName,
        dimensions: dims,
        extendedStatistic: "p99",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: API_LATENCY_P99_MS,
        treatMissingData: "notBreaching",
      },
    );
    createAlarm(
      ctx,
      "api-4xx-alarm",
      apiAlarmName(prefix, "4xx-rate"),
      "api-4xx",
      `More than ${API_4XX_RATE * 100}% of the ${ctx.region.name} HTTP API's requests were answered 4xx.`,
      args.alertTopicArn,
      {
        comparisonOperator: "GreaterThanThreshold",
        threshold: API_4XX_RATE * 100,
        evaluationPeriods: 3,
        treatMissingData: "notBreaching",
        metricQueries: [
          {
            id: "client",
            returnData: false,
            metric: { namespace: metric["4xx-rate"].namespace, metricName: metric["4xx-rate"].metricName, dimensions: dims, period: 300, stat: "Sum" },
          },
          {
            id: "requests",
            returnData: false,
            metric: { namespace: metric["4xx-rate"].namespace, metricName: "Count", dimensions: dims, period: 300, stat: "Sum" },
          },
          // No requests is no problem: the rate is 0 then, not missing.
          { id: "rate", expression: "IF(requests > 0, 100 * client / requests, 0)", label: "4xx answers (%)", returnData: true },
        ],
      },
    );

    this.apiId = api.id;
    this.url = api.apiEndpoint;
    this.registerOutputs({ url: this.url, apiId: this.apiId });
  }
}

/**
 * What the browser origins may send and read: the API's own headers
 * (Idempotency-Key, If-None-Match), a JWT or a SigV4 signature, and the
 * answers' ETag and Location.
 */
function browserCors(origins: string[]): aws.types.input.apigatewayv2.ApiCorsConfiguration {
  return {
    allowOrigins: origins,
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: [
      "authorization",
      "content-type",
      IDEMPOTENCY_KEY_HEADER.toLowerCase(),
      "if-none-match",
      "x-amz-date",
      "x-amz-security-token",
      "x-amz-content-sha256",
    ],
    exposeHeaders: ["etag", "location"],
    maxAge: 600,
  };
}
