// The same pipeline in every region: one component, built from the modules in
// pipeline/, so a region cannot differ from the others by construction.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { retryEnvironment } from "../handlers/shared/retry-schedule";
import { RUNTIME_ENV } from "../handlers/thumbnails/image/config";
import type { BuildManifest } from "../handlers/build-manifest";
import { alarmArn, dbInstanceArn, eventBusArn, queueArn, ssmParameterArn, topicArn } from "./arns";
import { API_ENV, DEFAULT_UPLOAD_PREFIX } from "../handlers/api/config";
import { EVENT_BUS_ENV } from "../handlers/shared/result-events";
import { RegionalApi } from "./pipeline/api";
import { connectionBudget, resolveMaxConnections, resolveMemory } from "./budget";
import { FUNCTION_NAMES, type FunctionName, type PipelineConfig, type RegionConfig } from "./config";
import type { PolicyInputs } from "./iam-policies";
import { CANARY_PREFIX, canaryAlarmName, dashboardUrl, functionAlarmName, lambdaName, maxConnectionsFloorParameter, memoryFloorPrefix, queueAlarmName, queueName, resourcePrefix, topicName } from "./naming";
import { createCanaryAlarm, createDatabaseAlarms, createFunctionAlarms, createFunctionMetricFilters, createQueueAlarms } from "./pipeline/alarms";
import { createTopics, runMigrations, wireAutomation } from "./pipeline/automation";
import { arnScope, nameOf, opts, type RegionContext } from "./pipeline/context";
import { regionDashboardBody, type RegionDashboardInput } from "./pipeline/dashboard";
import { createDatabase, existingDatabase } from "./pipeline/database";
import { createFunction, functionArn, type FunctionSpec, type PipelineFunction } from "./pipeline/functions";
import { createRegionLogging, type LogShippingTarget } from "./pipeline/logs";
import { createNetwork } from "./pipeline/network";
import { createAsyncFailureQueue, createQueues } from "./pipeline/queue";
import { createStorage } from "./pipeline/storage";

/** Result events go to the region's default bus, where any account rule can match them. */
const RESULT_EVENT_BUS = "default";
/** The input cap of the thumbnails function, and so of the API's upload forms. */
const MAX_INPUT_BYTES = String(50 * 1024 * 1024);

export interface RegionFloors {
  /** Memory floors by Lambda function name (from SSM). */
  memoryMb: Map<string, number>;
  maxConnections?: number;
}

export interface RegionalPipelineArgs {
  cfg: PipelineConfig;
  region: RegionConfig;
  provider: aws.Provider;
  accountId: string;
  partition: string;
  availabilityZones: string[];
  manifest: BuildManifest;
  commit: string;
  distDir: string;
  floors: RegionFloors;
  /** Where the region's log groups ship: the stack's archive of its jurisdiction, or an existing destination. */
  logShipping: LogShippingTarget;
}

export class RegionalPipeline extends pulumi.ComponentResource {
  readonly rawBucket: pulumi.Output<string>;
  readonly thumbnailsBucket: pulumi.Output<string>;
  readonly cdnDomain: pulumi.Output<string>;
  readonly queueUrl: pulumi.Output<string>;
  readonly dlqUrl: pulumi.Output<string>;
  /** The region's upload and status API. */
  readonly apiUrl: pulumi.Output<string>;
  readonly dashboardName: string;
  readonly dashboardUrl: string;
  readonly dashboardInput: RegionDashboardInput;
  /** Memory per function and the connection budget this deployment uses. */
  readonly memoryMb: Record<FunctionName, number>;
  readonly maxConnections: number;
  readonly thumbnailsMaxConcurrency: number;

  constructor(name: string, args: RegionalPipelineArgs, options?: pulumi.ComponentResourceOptions) {
    super("thumbnail-pipeline:index:RegionalPipeline", name, {}, options);
    const { cfg, region } = args;
    const ctx: RegionContext = { cfg, region, provider: args.provider, parent: this, accountId: args.accountId, partition: args.partition, manifest: args.manifest, commit: args.commit, distDir: args.distDir };
    const r = region.name;

    // Decisions first: memory keeps what the OOM remediator raised; max_connections keeps db-guard's floor.
    this.memoryMb = {} as Record<FunctionName, number>;
    for (const fn of FUNCTION_NAMES) {
      const floor = args.floors.memoryMb.get(lambdaName(cfg, r, fn));
      this.memoryMb[fn] = resolveMemory(cfg.functions[fn].memoryMb, floor, cfg.remediation.memoryCapMb);
      if (floor !== undefined && floor > cfg.remediation.memoryCapMb) {
        pulumi.log.warn(`${r}: memory floor ${floor} MB of ${fn} is above the remediation cap; using ${cfg.remediation.memoryCapMb} MB`, this);
      }
    }
    this.maxConnections = resolveMaxConnections(cfg.database.maxConnections, args.floors.maxConnections, cfg.database.connectionCeiling);
    const budget = connectionBudget(this.maxConnections, cfg.thumbnailsMaxConcurrency, cfg.api.concurrency);
    this.thumbnailsMaxConcurrency = budget.concurrency.thumbnails;

    const logging = createRegionLogging(ctx, args.logShipping);
    const existing = cfg.database.existing?.[r];
    const network = createNetwork(ctx, args.availabilityZones, existing?.cidr);
    const storage = createStorage(ctx);
    const queues = createQueues(ctx, storage.raw);
    const database = existing ? existingDatabase(ctx, existing) : createDatabase(ctx, network, pulumi.output(this.maxConnections));
    const topics = createTopics(ctx);
    const asyncFailures = createAsyncFailureQueue(ctx);

    const vpc = { subnetIds: network.subnetIds, securityGroupIds: [network.functionSecurityGroupId] };
    const dbEnv = {
      DB_SECRET_ARN: database.secretArn,
      DB_HOST: database.host,
      DB_PORT: String(database.port),
      DB_NAME: database.dbName,
      DB_TLS: "verify-full",
    };
    const images = {
      RAW_BUCKET: storage.raw.name,
      THUMBNAILS_BUCKET: storage.thumbnails.name,
      THUMBNAIL_SIZES: JSON.stringify(cfg.thumbnailSizes),
      THUMBNAIL_FORMATS: cfg.thumbnailFormats.join(","),
    };
    const jira = cfg.ticketing.jira;
    // Built from names, not outputs, so every role policy is known on a first preview (infra/arns.ts).
    const scope = arnScope(ctx);
    const policyInputs: Omit<PolicyInputs, "logGroupArn" | "inVpc"> = {
      rawBucketArn: storage.raw.knownArn,
      thumbnailsBucketArn: storage.thumbnails.knownArn,
      queueArn: queueArn(scope, queueName(cfg, r, "raw-events")),
      dlqArn: queueArn(scope, queueName(cfg, r, "raw-events-dlq")),
      canaryAlarmArn: alarmArn(scope, canaryAlarmName(cfg, r)),
      alertTopicArn: topicArn(scope, topicName(cfg, r, "alerts")),
      ticketTopicArn: topicArn(scope, topicName(cfg, r, "tickets")),
      dbParameterGroupArn: database.parameterGroupArn,
      asyncFailureQueueArn: queueArn(scope, queueName(cfg, r, "async-failures")),
      dbInstanceArn: dbInstanceArn(scope, database.identifier),
      remediableFunctionArns: FUNCTION_NAMES.map((fn) => functionArn(ctx, fn)),
      oomAlarmArns: FUNCTION_NAMES.map((fn) => alarmArn(scope, functionAlarmName(lambdaName(cfg, r, fn), "oom"))),
      memoryFloorParameterArnPrefix: ssmParameterArn(scope, memoryFloorPrefix(cfg.stack, r)),
      maxConnectionsFloorParameterArn: ssmParameterArn(scope, maxConnectionsFloorParameter(cfg.stack, r)),
      allowReboot: cfg.database.allowReboot,
      ...(jira ? { jiraSecretArn: jira.secretArn } : {}),
      eventBusArn: eventBusArn(scope, RESULT_EVENT_BUS),
      uploadPrefix: DEFAULT_UPLOAD_PREFIX,
    };
    // Only the functions that read the database secret are granted it (by exact ARN, or pinned to the instance RDS manages it for).
    const withDbSecret = { ...policyInputs, dbSecret: database.secretGrant };

    const specs: Record<FunctionName, Omit<FunctionSpec, "fn" | "memoryMb">> = {
      thumbnails: {
        policyInputs: withDbSecret,
        vpc,
        reservedConcurrency: budget.concurrency.thumbnails,
        environment: {
          ...dbEnv,
          ...images,
          THUMBNAILS_BASE_URL: pulumi.interpolate`https://${storage.cdnDomain}`,
          MAX_INPUT_BYTES,
          MAX_INPUT_PIXELS: String(40_000_000),
          // Failed messages are held back on this queue by the schedule its redrive policy was checked against.
          QUEUE_URL: queues.queue.url,
          ...retryEnvironment(cfg.queue.retry),
          [EVENT_BUS_ENV]: RESULT_EVENT_BUS,
          // One malloc arena and a pinned V8 young generation: RSS otherwise climbs across invocations (npm run bench, bench:load).
          ...RUNTIME_ENV,
        },
      },
      migrate: { policyInputs: withDbSecret, vpc, reservedConcurrency: budget.concurrency.migrate, environment: dbEnv },
      "oom-remediator": {
        policyInputs,
        // Two OOM events at once must raise once; one invocation at a time also serialises the SSM floor.
        reservedConcurrency: 1,
        environment: {
          MEMORY_STEP_MB: String(cfg.remediation.memoryStepMb),
          MEMORY_CAP_MB: String(cfg.remediation.memoryCapMb),
          REMEDIATION_COOLDOWN_SECONDS: String(cfg.remediation.cooldownSeconds),
          MEMORY_FLOOR_PARAMETER_PREFIX: memoryFloorPrefix(cfg.stack, r),
          ALERT_TOPIC_ARN: topics.alerts.arn,
          TICKET_TOPIC_ARN: topics.tickets.arn,
        },
      },
      "db-guard": {
        policyInputs: withDbSecret,
        vpc,
        reservedConcurrency: budget.concurrency["db-guard"],
        environment: {
          ...dbEnv,
          DB_INSTANCE_ID: database.identifier,
          DB_PARAMETER_GROUP: database.parameterGroupName,
          CONNECTION_THRESHOLD: "0.8",
          CONNECTION_STEP: String(cfg.database.connectionStep),
          CONNECTION_CEILING: String(cfg.database.connectionCeiling),
          ALLOW_REBOOT: String(cfg.database.allowReboot),
          MAX_CONNECTIONS_FLOOR_PARAMETER: maxConnectionsFloorParameter(cfg.stack, r),
          ALERT_TOPIC_ARN: topics.alerts.arn,
          TICKET_TOPIC_ARN: topics.tickets.arn,
        },
      },
      canary: {
        policyInputs: withDbSecret,
        vpc,
        reservedConcurrency: budget.concurrency.canary,
        environment: { ...dbEnv, ...images, CANARY_PREFIX, CANARY_TIMEOUT_SECONDS: "120", TICKET_TOPIC_ARN: topics.tickets.arn },
      },
      "dlq-redriver": {
        policyInputs,
        // One run at a time: two would race for the same dead letters.
        reservedConcurrency: 1,
        environment: {
          DLQ_URL: queues.dlq.url,
          QUEUE_URL: queues.queue.url,
          CANARY_ALARM_NAME: canaryAlarmName(cfg, r),
          MAX_REDRIVES: String(cfg.queue.maxRedrives),
          ALERT_TOPIC_ARN: topics.alerts.arn,
          TICKET_TOPIC_ARN: topics.tickets.arn,
        },
      },
      api: {
        policyInputs: withDbSecret,
        vpc,
        reservedConcurrency: budget.concurrency.api,
        environment: {
          ...dbEnv,
          [API_ENV.rawBucket]: storage.raw.name,
          [API_ENV.uploadPrefix]: DEFAULT_UPLOAD_PREFIX,
          // The same cap the thumbnails function enforces: a form never admits what would be refused as too-large.
          [API_ENV.maxInputBytes]: MAX_INPUT_BYTES,
        },
      },
      "result-publisher": {
        policyInputs: withDbSecret,
        vpc,
        // One sweep at a time: two would send the same owed events twice.
        reservedConcurrency: budget.concurrency["result-publisher"],
        environment: { ...dbEnv, [EVENT_BUS_ENV]: RESULT_EVENT_BUS },
      },
      "ticket-opener": {
        policyInputs,
        environment: {
          ALERT_TOPIC_ARN: topics.alerts.arn,
          ...(jira ? { JIRA_BASE_URL: jira.baseUrl, JIRA_PROJECT_KEY: jira.projectKey, JIRA_ISSUE_TYPE: jira.issueType, JIRA_SECRET_ARN: jira.secretArn } : {}),
        },
      },
    };

    const functions = {} as Record<FunctionName, PipelineFunction>;
    const oomAlarmNames: pulumi.Output<string>[] = [];
    for (const fn of FUNCTION_NAMES) {
      const f = createFunction(ctx, logging, { fn, memoryMb: this.memoryMb[fn], ...specs[fn] });
      createFunctionMetricFilters(ctx, f);
      const alarms = createFunctionAlarms(ctx, f, topics.alerts.arn);
      oomAlarmNames.push(alarms.oom.name);
      functions[fn] = f;
    }

    new aws.lambda.EventSourceMapping(
      nameOf(ctx, "thumbnails-trigger"),
      {
        functionName: functions.thumbnails.lambda.arn,
        eventSourceArn: queues.queue.arn,
        batchSize: cfg.queue.batchSize,
        maximumBatchingWindowInSeconds: 1,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: budget.concurrency.thumbnails },
      },
      opts(ctx),
    );

    createQueueAlarms(ctx, "raw-events", queues.queue.name, queueName(cfg, r, "raw-events"), false, topics.alerts.arn);
    createQueueAlarms(ctx, "raw-events-dlq", queues.dlq.name, queueName(cfg, r, "raw-events-dlq"), true, topics.alerts.arn);
    createQueueAlarms(ctx, "async-failures", asyncFailures.name, queueName(cfg, r, "async-failures"), true, topics.alerts.arn, "async-failures");
    const dbAlarms = createDatabaseAlarms(ctx, database.identifier, cfg.database.allocatedStorageGb, topics.alerts.arn);
    createCanaryAlarm(ctx, topics.alerts.arn);

    wireAutomation(ctx, {
      functions,
      oomAlarmNames,
      connectionsAlarmName: dbAlarms.connections.name,
      canaryAlarmName: canaryAlarmName(cfg, r),
      dlqDepthAlarmName: queueAlarmName(queueName(cfg, r, "raw-events-dlq"), "depth"),
      ticketsTopic: topics.tickets,
      asyncFailureQueueArn: asyncFailures.arn,
    });
    runMigrations(ctx, functions.migrate, database.instance ? [database.instance] : []);

    const api = new RegionalApi(nameOf(ctx, "api-component"), { ctx, logging, fn: functions.api, config: cfg.api, alertTopicArn: topics.alerts.arn }, { parent: this });
    this.apiUrl = api.url;

    this.dashboardName = resourcePrefix(cfg, r);
    this.dashboardInput = {
      region: r,
      functionNames: FUNCTION_NAMES.map((fn) => functions[fn].name),
      queueName: queueName(cfg, r, "raw-events"),
      dlqName: queueName(cfg, r, "raw-events-dlq"),
      dbId: database.identifier,
    };
    new aws.cloudwatch.Dashboard(nameOf(ctx, "dashboard"), { dashboardName: this.dashboardName, dashboardBody: regionDashboardBody(this.dashboardInput) }, opts(ctx));
    this.dashboardUrl = dashboardUrl(r, this.dashboardName);

    this.rawBucket = storage.raw.name;
    this.thumbnailsBucket = storage.thumbnails.name;
    this.cdnDomain = storage.cdnDomain;
    this.queueUrl = queues.queue.url;
    this.dlqUrl = queues.dlq.url;
    this.registerOutputs({
      rawBucket: this.rawBucket,
      thumbnailsBucket: this.thumbnailsBucket,
      cdnDomain: this.cdnDomain,
      queueUrl: this.queueUrl,
      dlqUrl: this.dlqUrl,
      apiUrl: this.apiUrl,
      dashboardUrl: this.dashboardUrl,
    });
  }
}
