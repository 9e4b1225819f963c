// The whole pipeline on one machine, on embedded defaults (M15): PostgreSQL
// (embedded, or DATABASE_URL), in-process S3 and SQS, the raw bucket's
// ObjectCreated notifications routed to a queue with a DLQ, and the real
// thumbnails function behind an SQS event-source loop whose concurrency is the
// database connection budget (M12). The function runs as Lambda runs it: its
// bundle, started by the bootstrap in containers of its own
// (local/lambda-containers.ts); "in-process" runs the handler's sources in
// this process, for the tests that wrap or replace it. Used by `npm start`,
// the tests, the load bench and `pipectl canary --local`.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Pool } from "pg";
import { REPO_ROOT } from "../cli/repo-root";
import { migrate } from "../handlers/migrate/migrate";
import { DEFAULT_RETRY_SCHEDULE, RETRY_BASE_SECONDS_VARIABLE } from "../contracts/retry-schedule";
import { DEFAULT_FUNCTIONS } from "../infra/config";
import { visibilityTimeoutSeconds } from "../infra/budget";
import { startSqsEventSource, type BatchOutcome, type EventSource } from "./event-source";
import { rowsForKeys, type StoredImageRow } from "../handlers/shared/images-table";
import { startLocalAws, type LocalAws } from "./local-aws";
import { startLocalApi, type LocalApi } from "./api";
import { createLocalEventBus, type LocalEventBus } from "./event-bus";
import { publishOwedEvents } from "../handlers/shared/result-events";
import { DEFAULT_LIMITS } from "../handlers/thumbnails/image/config";
import { routeObjectCreated, type NotificationRouter } from "./notification-router";
import { startLocalDatabase, type LocalDatabase } from "./postgres";
import { objectsInBody } from "./s3-event";
import type { SqsBatchHandler } from "./sqs-event";
import { startContainerFleet, type MemorySampleOf } from "./lambda-containers";
import { thumbnailsEnvironmentFor, type ProcessStart } from "./runtime-env";
import { LOCAL_CREDENTIALS } from "./local-aws";
import { thumbnailsFunction, type FunctionFactory, type LocalFunction } from "./thumbnails-function";

export type { ProcessStart };

export interface LocalPipelineOptions {
  /** Another PostgreSQL instead of the embedded one. */
  databaseUrl?: string;
  /** `postgres -c` settings for the embedded server. */
  postgresSettings?: Record<string, string>;
  region?: string;
  /** Folder for the local S3's objects; a temporary one by default. */
  s3Directory?: string;
  rawBucket?: string;
  thumbnailsBucket?: string;
  queueName?: string;
  /** The function's timeout. */
  functionTimeoutSeconds?: number;
  /** Seconds a received message stays hidden; 6x the function timeout by default, as AWS advises. */
  visibilityTimeoutSeconds?: number;
  /** Receives before SQS moves a message to the DLQ. */
  maxReceiveCount?: number;
  /**
   * The handler's retry schedule base (RETRY_BASE_SECONDS): the deployed base
   * scaled to this queue's visibility timeout by default, so a local outage
   * plays the deployed one at a smaller time scale.
   */
  retryBaseSeconds?: number;
  /** Off plays the function without its backoff: failed messages return after the visibility timeout only. */
  holdBackFailures?: boolean;
  /**
   * Route the raw bucket's ObjectCreated notifications to the queue (default
   * true). Off plays a bucket whose notifications were broken: objects land
   * but only a reprocess sends them through.
   */
  notifications?: boolean;
  /** Concurrent invocations = connections the handler may hold (pool of 1 each): the connection budget. */
  concurrency?: number;
  /** "in-process" only: the function behind the queue; the real thumbnails handler's sources by default. */
  functionFactory?: FunctionFactory;
  /** "in-process" only: wraps each handler (tests inject failures with it). */
  wrapHandler?: (handler: SqsBatchHandler) => SqsBatchHandler;
  /** The function's memory size (the bootstrap's V8 limits derive from it); the deployed default by default. */
  memoryMb?: number;
  /** The node binary the containers run (Lambda's is Node 22); LAMBDA_NODE, else this process's, by default. */
  nodeBinary?: string;
  /** A build output folder (holding <function>/) to run instead of dist/ (verify:lambda's arm64 build). */
  bundleDir?: string;
  /** The containers' stdout and stderr (their CloudWatch log streams); dropped by default. */
  onFunctionOutput?: (chunk: string) => void;
  /** Extra environment for the function (THUMBNAIL_SIZES, ...). */
  functionEnv?: Record<string, string>;
  /** How the containers start (local/runtime-env.ts): "as-deployed" by default, or "bootstrap-defaults" for comparison. */
  processStart?: ProcessStart;
  onBatch?: (outcome: BatchOutcome) => void;
  /**
   * Where the handler runs: "lambda" (default): the bundle in containers
   * started by the bootstrap, one per unit of concurrency, one batch at a
   * time each, replaced when they die; "in-process": the sources in this
   * process, for tests that need wrapHandler or functionFactory.
   */
  handlerHost?: "lambda" | "in-process";
  /** Memory samples of the "lambda" containers. */
  onHandlerMemory?: (sample: MemorySampleOf) => void;
  /** Called with every notification body the raw bucket sends to the queue. */
  onNotification?: (body: string) => void;
  log?: (line: string) => void;
  /** Result events also go to this URL (POST, EventBridge's envelope); always listed at the API's /events. */
  eventsWebhookUrl?: string;
  /** How often owed result events are swept (the deployed result-publisher runs every minute). */
  eventSweepMs?: number;
  /** Also serve the HTTP API and the upload page (local/api.ts). */
  api?: { port?: number; extraJson?: Record<string, () => unknown> };
}

export interface UploadRequest {
  key: string;
  body: Buffer;
  correlationId?: string;
  contentType?: string;
}

export interface WaitResult {
  rows: Map<string, StoredImageRow>;
  /** Keys with no row whose message sits in the DLQ. */
  inDlq: string[];
  /** Keys with neither (only when the wait timed out). */
  missing: string[];
  timedOut: boolean;
}

export interface LocalPipeline {
  region: string;
  /** The pipeline's PostgreSQL: embedded ones can be taken down and brought up (an outage). */
  database: LocalDatabase;
  endpoints: { s3: string; sqs: string };
  aws: LocalAws;
  s3: S3Client;
  sqs: SQSClient;
  databaseUrl: string;
  buckets: { raw: string; thumbnails: string };
  queue: { name: string; url: string; arn: string };
  dlq: { name: string; url: string; arn: string };
  concurrency: number;
  /** Connections the handler may hold at most: concurrency x pool size 1. */
  connectionBudget: number;
  /** Name the handler's connections carry in pg_stat_activity. */
  applicationName: string;
  /** The environment the function runs with. */
  functionEnv: Record<string, string>;
  /** Process ids of the "lambda" containers by slot, kept current as dead ones are replaced (none in-process). */
  handlerPids: number[];
  /** Containers started to replace one that died. */
  containerReplacements(): number;
  upload(request: UploadRequest): Promise<{ key: string; correlationId: string }>;
  waitForRows(keys: readonly string[], options?: { timeoutMs?: number; pollMs?: number }): Promise<WaitResult>;
  /** Keys of the raw objects whose messages are in the DLQ right now. */
  dlqKeys(): string[];
  /** The region's bus: every result event sent. */
  eventBus: LocalEventBus;
  /** The HTTP API and page, when asked for. */
  api?: LocalApi;
  stop(): Promise<void>;
}

export const LOCAL_DEFAULTS = {
  region: "us-east-1",
  rawBucket: "raw",
  thumbnailsBucket: "thumbnails",
  queueName: "raw-events",
  functionTimeoutSeconds: 30,
  maxReceiveCount: 3,
  concurrency: 4,
  applicationName: "thumbnails",
} as const;

export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const log = options.log ?? (() => undefined);
  const region = options.region ?? LOCAL_DEFAULTS.region;
  const concurrency = options.concurrency ?? LOCAL_DEFAULTS.concurrency;
  const functionTimeoutMs = (options.functionTimeoutSeconds ?? LOCAL_DEFAULTS.functionTimeoutSeconds) * 1000;
  const visibility = options.visibilityTimeoutSeconds ?? Math.ceil((6 * functionTimeoutMs) / 1000);
  const handlerHost = options.handlerHost ?? "lambda";
  if (handlerHost === "lambda" && (options.wrapHandler || options.functionFactory)) {
    throw new Error('wrapHandler and functionFactory replace the handler in this process: pass handlerHost: "in-process" with them');
  }
  const cleanups: { what: string; run: () => Promise<void> }[] = [];
  const stopAll = async () => {
    // Bounded whatever state the servers are in (a database outage, a stuck connection): a step that hangs is logged and left behind.
    for (const cleanup of cleanups.reverse())
      await withinTime(cleanup.run(), STOP_STEP_MS, cleanup.what).catch((error: unknown) => log(`stopping ${cleanup.what}: ${String(error)}`));
    cleanups.length = 0;
  };

  try {
    const database: LocalDatabase = await startLocalDatabase({ databaseUrl: options.databaseUrl, settings: options.postgresSettings });
    cleanups.push({ what: "the database", run: () => database.stop() });
    log(database.embedded ? "embedded PostgreSQL started" : "using the PostgreSQL of DATABASE_URL");
    const applied = await migrate(database.url, join(REPO_ROOT, "handlers", "migrations"));
    log(applied.length > 0 ? `migrations applied: ${applied.join(", ")}` : "schema is current");

    const aws = await startLocalAws({ region, ...(options.s3Directory !== undefined ? { directory: options.s3Directory } : {}) });
    cleanups.push({ what: "the local S3 and SQS", run: () => aws.stop() });
    const s3 = new S3Client(aws.s3Config);
    const sqs = new SQSClient(aws.sqsConfig);
    cleanups.push({
      what: "the pipeline's clients",
      run: async () => {
        s3.destroy();
        sqs.destroy();
      },
    });
    const buckets = { raw: options.rawBucket ?? LOCAL_DEFAULTS.rawBucket, thumbnails: options.thumbnailsBucket ?? LOCAL_DEFAULTS.thumbnailsBucket };
    for (const bucket of [buckets.raw, buckets.thumbnails]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    const queueName = options.queueName ?? LOCAL_DEFAULTS.queueName;
    const dlq = await createQueue(sqs, `${queueName}-dlq`, { MessageRetentionPeriod: "1209600" });
    const queue = await createQueue(sqs, queueName, {
      VisibilityTimeout: String(visibility),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(options.maxReceiveCount ?? LOCAL_DEFAULTS.maxReceiveCount) }),
    });

    if (options.notifications !== false) {
      const router: NotificationRouter = routeObjectCreated(aws, sqs, {
        bucket: buckets.raw,
        queueUrl: queue.url,
        onError: (error, key) => log(`notification for ${key} not delivered: ${String(error)}`),
        onSent: options.onNotification,
      });
      cleanups.push({ what: "the notification router", run: () => router.stop() });
    }

    const memoryMb = options.memoryMb ?? DEFAULT_FUNCTIONS.thumbnails.memoryMb;
    const holdBack = options.holdBackFailures !== false;
    const functionEnv: Record<string, string> = {
      // What the program gives the deployed function besides its resources' names (RUNTIME_ENV, its exec wrapper, the input caps).
      ...thumbnailsEnvironmentFor(options.processStart ?? "as-deployed"),
      RAW_BUCKET: buckets.raw,
      THUMBNAILS_BUCKET: buckets.thumbnails,
      THUMBNAILS_BASE_URL: `${aws.s3Endpoint}/${buckets.thumbnails}`,
      [RETRY_BASE_SECONDS_VARIABLE]: String(options.retryBaseSeconds ?? scaledRetryBaseSeconds(visibility)),
      DATABASE_URL: database.url,
      DB_TLS: "disable",
      POWERTOOLS_SERVICE_NAME: LOCAL_DEFAULTS.applicationName,
      POWERTOOLS_METRICS_NAMESPACE: "ThumbnailPipeline",
      PIPELINE_STACK: "local",
      PIPELINE_REGION: region,
      // The local endpoints (docs/contracts.md): on AWS the SDK finds the regional ones.
      S3_ENDPOINT: aws.s3Endpoint,
      S3_FORCE_PATH_STYLE: "true",
      SQS_ENDPOINT: aws.sqsEndpoint,
      ...(holdBack ? { QUEUE_URL: queue.url } : {}),
      ...options.functionEnv,
    };
    const eventBus = createLocalEventBus({ region, ...(options.eventsWebhookUrl !== undefined ? { webhookUrl: options.eventsWebhookUrl } : {}) });
    let handlerPids: number[] = [];
    let containerReplacements = () => 0;
    const eventSourceOptions = {
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      region,
      concurrency,
      onBatch: options.onBatch,
      onError: (error: unknown) => log(`event source: ${String(error)}`),
    };
    if (handlerHost === "lambda") {
      const fleet = await startContainerFleet(
        {
          count: concurrency,
          spec: { name: LOCAL_DEFAULTS.applicationName, memoryMb, timeoutSeconds: functionTimeoutMs / 1000, region, environment: functionEnv },
          launch: {
            credentials: LOCAL_CREDENTIALS,
            ...(options.nodeBinary ? { nodeBinary: options.nodeBinary } : {}),
            ...(options.bundleDir ? { taskRoot: join(options.bundleDir, LOCAL_DEFAULTS.applicationName) } : {}),
            ...(options.onFunctionOutput ? { onOutput: options.onFunctionOutput } : {}),
          },
          settledSampleMs: options.onHandlerMemory ? 1000 : 0,
          memorySampleMs: options.onHandlerMemory ? 250 : 0,
        },
        { onMemory: options.onHandlerMemory, log },
      );
      // The fleet's own array, kept current as containers are replaced.
      handlerPids = fleet.pids;
      containerReplacements = fleet.replacements;
      const eventSource: EventSource = startSqsEventSource({
        ...eventSourceOptions,
        // The container enforces the function's timeout (and is replaced after one); this only catches a launcher that hangs.
        functionTimeoutMs: functionTimeoutMs + 30_000,
        createHandler: (worker) => fleet.handlerFor(worker),
      });
      cleanups.push({
        what: "the function's containers",
        run: async () => {
          // Polling stops first; killing the containers then ends whatever they were running (those messages come back, as on Lambda).
          const polling = eventSource.stop();
          await fleet.stop();
          await polling;
        },
      });
    } else {
      const factory = options.functionFactory ?? thumbnailsFunction;
      const functions: LocalFunction[] = [];
      cleanups.push({
        what: "the in-process handlers",
        run: async () => {
          for (const fn of functions) await fn.close();
        },
      });
      const eventSource: EventSource = startSqsEventSource({
        ...eventSourceOptions,
        functionTimeoutMs,
        createHandler: (worker) => {
          const fn = factory({
            worker,
            env: functionEnv,
            s3Config: aws.s3Config,
            ...(holdBack ? { queue: { sqsConfig: aws.sqsConfig, url: queue.url } } : {}),
            applicationName: LOCAL_DEFAULTS.applicationName,
            functionTimeoutMs,
            results: eventBus.sink,
          });
          functions.push(fn);
          return options.wrapHandler ? options.wrapHandler(fn.handle) : fn.handle;
        },
      });
      cleanups.push({ what: "the event source", run: () => eventSource.stop() });
    }

    let api: LocalApi | undefined;
    if (options.api) {
      const maxInputBytes = Number(functionEnv.MAX_INPUT_BYTES ?? DEFAULT_LIMITS.maxInputBytes);
      api = await startLocalApi({
        aws,
        rawBucket: buckets.raw,
        databaseUrl: database.url,
        maxInputBytes,
        ...options.api,
        extraJson: { "/events": () => eventBus.events(), ...options.api.extraJson },
      });
      cleanups.push({ what: "the local API", run: () => (api as LocalApi).stop() });
      log(`API and upload page at ${api.url}`);
    }

    const monitor = new Pool({ connectionString: database.url, max: 1, application_name: "local-pipeline-monitor" });
    cleanups.push({ what: "the monitor pool", run: () => monitor.end() });

    // The result-publisher's sweep: owed events (a failed fast path, child containers) are sent again.
    const sweepPool = new Pool({ connectionString: database.url, max: 1, application_name: "result-publisher", connectionTimeoutMillis: 5_000 });
    let sweeping = Promise.resolve();
    const sweep = setInterval(() => {
      sweeping = sweeping.then(() =>
        publishOwedEvents(sweepPool, eventBus.sink, { limit: 100 }).then(
          () => undefined,
          (error: unknown) => log(`result events: ${String(error)}`),
        ),
      );
    }, options.eventSweepMs ?? 2_000);
    cleanups.push({
      what: "the result-event sweep",
      run: async () => {
        clearInterval(sweep);
        await sweeping;
        await sweepPool.end();
      },
    });

    const dlqKeys = (): string[] =>
      (aws.peekQueue(dlq.name) ?? []).flatMap((body) => (objectsInBody(body) ?? []).filter((r) => r.bucket === buckets.raw).map((r) => r.key));

    return {
      region,
      database,
      endpoints: { s3: aws.s3Endpoint, sqs: aws.sqsEndpoint },
      aws,
      s3,
      sqs,
      databaseUrl: database.url,
      buckets,
      queue,
      dlq,
      concurrency,
      connectionBudget: concurrency,
      applicationName: LOCAL_DEFAULTS.applicationName,
      functionEnv,
      handlerPids,
      containerReplacements: () => containerReplacements(),
      async upload(request) {
        const correlationId = request.correlationId ?? randomUUID();
        await s3.send(
          new PutObjectCommand({
            Bucket: buckets.raw,
            Key: request.key,
            Body: request.body,
            ContentType: request.contentType ?? "application/octet-stream",
            Metadata: { "correlation-id": correlationId },
          }),
        );
        return { key: request.key, correlationId };
      },
      async waitForRows(keys, waitOptions = {}) {
        const deadline = Date.now() + (waitOptions.timeoutMs ?? 120_000);
        for (;;) {
          const rows = new Map<string, StoredImageRow>();
          for (const row of await rowsForKeys(monitor, buckets.raw, keys)) rows.set(row.rawKey, row);
          const dead = new Set(dlqKeys());
          const unresolved = keys.filter((k) => !rows.has(k));
          const inDlq = unresolved.filter((k) => dead.has(k));
          const missing = unresolved.filter((k) => !dead.has(k));
          const timedOut = Date.now() >= deadline;
          if (missing.length === 0 || timedOut) return { rows, inDlq, missing, timedOut: missing.length > 0 && timedOut };
          await new Promise((resolve) => setTimeout(resolve, waitOptions.pollMs ?? 250));
        }
      },
      dlqKeys,
      eventBus,
      ...(api ? { api } : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** How long one step of stop() may take before it is abandoned (logged). */
const STOP_STEP_MS = 15_000;

function withinTime<T>(work: Promise<T>, ms: number, what: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not stop within ${ms / 1000} s; left behind`)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The deployed retry base, scaled from the deployed visibility timeout to `visibilitySeconds` (at least 1 s). */
export function scaledRetryBaseSeconds(visibilitySeconds: number): number {
  const deployedVisibility = visibilityTimeoutSeconds(DEFAULT_FUNCTIONS.thumbnails.timeoutSeconds);
  return Math.max(1, Math.round((DEFAULT_RETRY_SCHEDULE.baseSeconds * visibilitySeconds) / deployedVisibility));
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ name: string; url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`creating queue ${name} returned no URL`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${name} has no ARN`);
  return { name, url: QueueUrl, arn };
}
