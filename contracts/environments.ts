// Each function's environment, described once: the program writes it with
// writeEnvironment (infra/functions/<name>.ts) and the handler reads it with
// readEnvironment (handlers/<name>/config.ts). docs/contracts.md's
// table of variables is generated from these (npm run docs:contracts).
import {
  EnvVarError,
  choice,
  custom,
  flag,
  oneOf,
  optional,
  optionalString,
  optionalText,
  share,
  text,
  wholeNumber,
  writeEnvironment,
  type Env,
  type EnvSchema,
  type EnvVar,
} from "./env";
import { LOGGER_LEVELS, type FunctionName } from "./functions";
import { METRICS_NAMESPACE } from "./metrics";
import { CANARY_PREFIX } from "./names";
import { RETRY_BASE_SECONDS } from "./retry-schedule";
import {
  CANARY_TIMEOUT_SECONDS,
  CONNECTION_CEILING,
  CONNECTION_STEP,
  LAMBDA_MEMORY_MB,
  MAX_CONNECTIONS_SHARE,
  MAX_MESSAGES_PER_RUN,
  MAX_REDRIVES,
  MEMORY_CAP_MB,
  MEMORY_STEP_MB,
  REMEDIATION_COOLDOWN_SECONDS,
} from "./thresholds";
import {
  DEFAULT_FORMATS,
  DEFAULT_IMAGE_LIMITS,
  DEFAULT_SIZES,
  EXEC_WRAPPER_FILE,
  RUNTIME_ENV,
  formatFormats,
  formatSizes,
  parseFormats,
  parseSizes,
  type OutputFormat,
  type ThumbnailSize,
} from "./thumbnails";
import { didYouMean } from "./suggest";
import {
  DEFAULT_UPLOAD_EXPIRY_SECONDS,
  DEFAULT_UPLOAD_PREFIX,
  MAX_EVENTS_PER_RUN,
  MAX_UPLOAD_BYTES,
  MAX_UPLOAD_EXPIRY_SECONDS,
  UPLOAD_CONTENT_TYPES,
} from "./uploads";

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

const httpUrl = (example: string) => (value: string) => (isHttpUrl(value) ? undefined : `an absolute http(s) URL such as ${example}`);

// ---------------------------------------------------------------------------
// Every function.

/** PIPELINE_REGION, else the region Lambda runs the function in (AWS_REGION); functions that need it call requiredRegion. */
const PIPELINE_REGION: EnvVar<string | undefined, "always"> = {
  name: "PIPELINE_REGION",
  meaning: "the AWS region this function runs for (else AWS_REGION, which Lambda sets)",
  setter: "always",
  isText: true,
  read: (env: Env) => optionalString(env, "PIPELINE_REGION") ?? optionalString(env, "AWS_REGION"),
  format: (value: string) => value,
};

/** The region, for the functions that act on AWS APIs of their own region. */
export function requiredRegion(region: string | undefined): string {
  if (region === undefined) throw new EnvVarError(PIPELINE_REGION.name, undefined, "the AWS region this function runs for (or set AWS_REGION)");
  return region;
}

export const COMMON_ENVIRONMENT = {
  serviceName: optionalText("POWERTOOLS_SERVICE_NAME", "the function's name: the logger's service and the metrics' `service` dimension"),
  metricsNamespace: optionalText("POWERTOOLS_METRICS_NAMESPACE", "namespace of the handler metrics", { fallback: METRICS_NAMESPACE }),
  logLevel: choice("POWERTOOLS_LOG_LEVEL", "the logger's level", LOGGER_LEVELS, "INFO"),
  stack: optionalText("PIPELINE_STACK", "the Pulumi stack, a key of every log line"),
  region: PIPELINE_REGION,
} satisfies EnvSchema;

// ---------------------------------------------------------------------------
// The functions that use PostgreSQL (DATABASE_FUNCTIONS).

/** PostgreSQL's port: the managed database's, and the default of an existing one. */
export const POSTGRES_PORT = 5432;

export const TLS_MODES = ["disable", "require", "verify-full"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export const DATABASE_ENVIRONMENT = {
  url: custom(
    "DATABASE_URL",
    "a PostgreSQL URL with credentials; when set, the DB_* coordinates are not read",
    (value, name) => {
      if (value === undefined) return undefined;
      try {
        new URL(value);
      } catch {
        // The URL may hold a password: never echo it.
        throw new EnvVarError(name, "<unparseable; not shown, it may hold a password>", "a URL like postgres://user:password@host:5432/db");
      }
      return value;
    },
    (value: string) => value,
    { setter: "never" },
  ),
  secretArn: optionalText(
    "DB_SECRET_ARN",
    "the database secret: JSON with `username` and `password` (the RDS-managed master secret, or an existing database's)",
    {
      check: (value) =>
        /^arn:aws[a-z-]*:secretsmanager:/.test(value) ? undefined : "a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
    },
  ),
  host: optionalText("DB_HOST", "the database host name: the RDS Proxy when enabled, else the instance"),
  port: wholeNumber("DB_PORT", "the database port", POSTGRES_PORT, { min: 1, max: 65535 }),
  name: optionalText("DB_NAME", "the database name"),
  tls: custom<TlsMode | undefined, "always">(
    "DB_TLS",
    "`disable`, `require` or `verify-full`; unset means `verify-full` with DB_SECRET_ARN, the URL's own setting with DATABASE_URL",
    (value, name) => (value === undefined ? undefined : oneOf({ [name]: value }, name, TLS_MODES, "verify-full")),
    (value) => value,
  ),
  caBundle: optionalText(
    "DB_CA_BUNDLE",
    "path of a PEM CA bundle for `verify-full`; else `rds-ca-bundle.pem` beside the bundle if shipped, else Node's trust store",
    { setter: "never" },
  ),
} satisfies EnvSchema;

// ---------------------------------------------------------------------------
// Shared by several functions.

const RAW_BUCKET = text("RAW_BUCKET", "the name of the raw uploads bucket");
const THUMBNAILS_BUCKET = text("THUMBNAILS_BUCKET", "the name of the thumbnails bucket");
const QUEUE_URL = text("QUEUE_URL", "the URL of the raw-events queue");
const ALERT_TOPIC_ARN = text("ALERT_TOPIC_ARN", "the ARN of the alerts SNS topic, which pages the operators");
const TICKET_TOPIC_ARN = text("TICKET_TOPIC_ARN", "the ARN of the tickets SNS topic ticket-opener listens on");

/** The bus result events go to (handlers/shared/result-events.ts): a name or an ARN. */
const EVENT_BUS_NAME = text("EVENT_BUS_NAME", "the EventBridge bus result events go to", {
  check: (value) =>
    /^[A-Za-z0-9._/-]{1,256}$/.test(value) || value.startsWith("arn:") ? undefined : "an EventBridge bus name (letters, digits, . _ / -) or ARN",
});

/** What thumbnails are made (thumbnails, and the canary that checks them). */
export const THUMBNAIL_SET_ENVIRONMENT = {
  sizes: custom<ThumbnailSize[], "always">(
    "THUMBNAIL_SIZES",
    'JSON list of sizes, e.g. `[{"name":"small","width":160}]`',
    (value, name) => (value === undefined ? DEFAULT_SIZES.map((s) => ({ ...s })) : parseSizes(value, name)),
    formatSizes,
    { shownDefault: formatSizes(DEFAULT_SIZES) },
  ),
  formats: custom<OutputFormat[], "always">(
    "THUMBNAIL_FORMATS",
    "comma list of output formats; the first is the primary (the row's URL columns)",
    (value, name) => (value === undefined ? [...DEFAULT_FORMATS] : parseFormats(value, name)),
    formatFormats,
    { shownDefault: formatFormats(DEFAULT_FORMATS) },
  ),
} satisfies EnvSchema;

/** The input caps of the thumbnails function (and `pipectl process`). */
export const INPUT_LIMITS_ENVIRONMENT = {
  maxInputBytes: wholeNumber("MAX_INPUT_BYTES", "inputs larger than this are refused before decoding", DEFAULT_IMAGE_LIMITS.maxInputBytes, { min: 1 }),
  maxInputPixels: wholeNumber("MAX_INPUT_PIXELS", "inputs with more pixels (per frame) are refused before decoding", DEFAULT_IMAGE_LIMITS.maxInputPixels, {
    min: 1,
  }),
} satisfies EnvSchema;

/** Everything the image core reads: the thumbnails and the input caps. */
export const IMAGE_ENVIRONMENT = { ...THUMBNAIL_SET_ENVIRONMENT, ...INPUT_LIMITS_ENVIRONMENT } satisfies EnvSchema;

// ---------------------------------------------------------------------------
// Per function.

const THUMBNAILS = {
  ...COMMON_ENVIRONMENT,
  ...DATABASE_ENVIRONMENT,
  ...IMAGE_ENVIRONMENT,
  rawBucket: { ...RAW_BUCKET, meaning: "the raw uploads bucket: the only one whose events the function acts on" },
  thumbnailsBucket: { ...THUMBNAILS_BUCKET, meaning: "the thumbnails bucket; an event of it is refused as a wiring error" },
  baseUrl: text("THUMBNAILS_BASE_URL", "the public base URL of the thumbnails (CloudFront), no trailing slash", {
    check: httpUrl("https://d111111abcdef8.cloudfront.net"),
  }),
  queueUrl: optional(
    QUEUE_URL,
    "the raw-events queue, where a transiently failed message is held back; without it the message returns after the queue's visibility timeout",
  ),
  retryBaseSeconds: RETRY_BASE_SECONDS,
  mallocArenaMax: optionalText("MALLOC_ARENA_MAX", `glibc malloc arenas, ${RUNTIME_ENV.MALLOC_ARENA_MAX} (RUNTIME_ENV): read at process start`),
  nodeOptions: optionalText("NODE_OPTIONS", `\`${RUNTIME_ENV.NODE_OPTIONS}\` (RUNTIME_ENV): a pinned V8 young generation, read at process start`),
  execWrapper: optionalText(
    "AWS_LAMBDA_EXEC_WRAPPER",
    `the bundle's exec wrapper (/var/task/${EXEC_WRAPPER_FILE}), run by the bootstrap: it drops the bootstrap's --max-semi-space-size so NODE_OPTIONS' holds`,
  ),
  sqsEndpoint: optionalText("SQS_ENDPOINT", "local runs: the in-process SQS", { setter: "never", check: httpUrl("http://127.0.0.1:4566") }),
  s3Endpoint: optionalText("S3_ENDPOINT", "local runs: the in-process S3", { setter: "never", check: httpUrl("http://127.0.0.1:4569") }),
  s3ForcePathStyle: flag("S3_FORCE_PATH_STYLE", "local runs: path-style S3 addressing", false, { setter: "never" }),
  sharpConcurrency: wholeNumber(
    "SHARP_CONCURRENCY",
    "libvips worker threads per image; more only for large memory sizes",
    1,
    { min: 1, max: 64 },
    { setter: "never" },
  ),
  eventBus: optional(EVENT_BUS_NAME, "the bus result events go to right after a batch; unset leaves every event to result-publisher"),
} satisfies EnvSchema;

/** A local S3 in place of AWS's (the local pipeline): every function that talks to S3 reads the same two variables. */
export const LOCAL_S3_ENVIRONMENT = { s3Endpoint: THUMBNAILS.s3Endpoint, s3ForcePathStyle: THUMBNAILS.s3ForcePathStyle } satisfies EnvSchema;

const MIGRATE = {
  ...COMMON_ENVIRONMENT,
  ...DATABASE_ENVIRONMENT,
  migrationsDir: optionalText("MIGRATIONS_DIR", "overrides the migrations folder (default `migrations/` beside the bundle)", { setter: "never" }),
} satisfies EnvSchema;

const OOM_REMEDIATOR = {
  ...COMMON_ENVIRONMENT,
  stepMb: wholeNumber("MEMORY_STEP_MB", "MB added to a function's memory per OOM", MEMORY_STEP_MB, { min: 1, max: LAMBDA_MEMORY_MB.max }),
  capMb: wholeNumber("MEMORY_CAP_MB", "memory is never raised above this (MB)", MEMORY_CAP_MB, LAMBDA_MEMORY_MB),
  cooldownSeconds: wholeNumber(
    "REMEDIATION_COOLDOWN_SECONDS",
    "seconds after a raise during which another OOM of the same function does not raise again",
    REMEDIATION_COOLDOWN_SECONDS,
    { min: 0 },
  ),
  floorParameterPrefix: text("MEMORY_FLOOR_PARAMETER_PREFIX", "an SSM parameter name prefix ending in /; the floor of function F is `<prefix><F>`"),
  alertTopicArn: ALERT_TOPIC_ARN,
  ticketTopicArn: TICKET_TOPIC_ARN,
} satisfies EnvSchema;

const DB_GUARD = {
  ...COMMON_ENVIRONMENT,
  ...DATABASE_ENVIRONMENT,
  instanceId: text("DB_INSTANCE_ID", "the RDS DB instance identifier"),
  parameterGroup: text("DB_PARAMETER_GROUP", "the name of the instance's DB parameter group"),
  threshold: share("CONNECTION_THRESHOLD", "utilization (active / max_connections) above which a reading counts as a breach", MAX_CONNECTIONS_SHARE),
  // PostgreSQL accepts max_connections from 1 to 262143.
  step: wholeNumber("CONNECTION_STEP", "added to max_connections per remediation", CONNECTION_STEP, { min: 1, max: 1000 }),
  ceiling: wholeNumber("CONNECTION_CEILING", "max_connections is never raised above this", CONNECTION_CEILING, { min: 1, max: 262143 }),
  allowReboot: flag("ALLOW_REBOOT", "whether db-guard may reboot the instance to apply a raise", false),
  floorParameter: text("MAX_CONNECTIONS_FLOOR_PARAMETER", "the SSM parameter name of the max_connections floor"),
  alertTopicArn: ALERT_TOPIC_ARN,
  ticketTopicArn: TICKET_TOPIC_ARN,
} satisfies EnvSchema;

const CANARY = {
  ...COMMON_ENVIRONMENT,
  ...DATABASE_ENVIRONMENT,
  ...THUMBNAIL_SET_ENVIRONMENT,
  rawBucket: RAW_BUCKET,
  thumbnailsBucket: THUMBNAILS_BUCKET,
  prefix: optionalText("CANARY_PREFIX", "key prefix of the synthetic uploads", {
    fallback: CANARY_PREFIX,
    check: (value) =>
      value.endsWith("/") && !value.startsWith("/") ? undefined : `a key prefix ending in "/" and not starting with one, e.g. ${CANARY_PREFIX}`,
  }),
  // Lambda runs at most 900 s; the check must end well inside the function's timeout.
  timeoutSeconds: wholeNumber("CANARY_TIMEOUT_SECONDS", "seconds the whole check may take", CANARY_TIMEOUT_SECONDS, { min: 5, max: 840 }),
  ticketTopicArn: TICKET_TOPIC_ARN,
} satisfies EnvSchema;

const TICKET_OPENER = {
  ...COMMON_ENVIRONMENT,
  alertTopicArn: { ...ALERT_TOPIC_ARN, meaning: "the ARN of the alerts SNS topic (tickets fall back to it)" },
  jiraBaseUrl: optionalText("JIRA_BASE_URL", "the Jira Cloud site, e.g. https://your-team.atlassian.net; unset means tickets go to ALERT_TOPIC_ARN as text", {
    setter: "when-set",
  }),
  jiraProjectKey: optionalText("JIRA_PROJECT_KEY", "the Jira project key tickets are filed in, e.g. OPS", { setter: "when-set" }),
  jiraIssueType: optionalText("JIRA_ISSUE_TYPE", "the issue type of the tickets", { setter: "when-set", fallback: "Task" }),
  jiraSecretArn: optionalText("JIRA_SECRET_ARN", 'the ARN of the Secrets Manager secret holding {"email","apiToken"}', { setter: "when-set" }),
} satisfies EnvSchema;

const DLQ_REDRIVER = {
  ...COMMON_ENVIRONMENT,
  dlqUrl: text("DLQ_URL", "the URL of the raw-events dead-letter queue"),
  queueUrl: { ...QUEUE_URL, meaning: "the URL of the raw-events queue the dead letters go back to" },
  canaryAlarmName: text("CANARY_ALARM_NAME", "the region's canary alarm: dead letters go back only while it is OK"),
  maxRedrives: wholeNumber("MAX_REDRIVES", "times one message is sent back before a ticket is asked for instead", MAX_REDRIVES, { min: 0, max: 100 }),
  maxMessagesPerRun: wholeNumber(
    "MAX_MESSAGES_PER_RUN",
    "messages moved per run at most, so one run stays well inside its timeout",
    MAX_MESSAGES_PER_RUN,
    { min: 1, max: 100_000 },
    { setter: "never" },
  ),
  alertTopicArn: ALERT_TOPIC_ARN,
  ticketTopicArn: TICKET_TOPIC_ARN,
} satisfies EnvSchema;

const API = {
  ...COMMON_ENVIRONMENT,
  ...DATABASE_ENVIRONMENT,
  ...LOCAL_S3_ENVIRONMENT,
  rawBucket: { ...RAW_BUCKET, meaning: "the raw uploads bucket the upload forms are bound to" },
  uploadPrefix: optionalText("UPLOAD_PREFIX", "key prefix of every upload: one folder name ending in /", {
    fallback: DEFAULT_UPLOAD_PREFIX,
    check: (value) => (/^[A-Za-z0-9._-]+\/$/.test(value) ? undefined : `one folder name ending in "/", e.g. ${DEFAULT_UPLOAD_PREFIX}`),
  }),
  // The same cap the thumbnails function enforces: a form never admits what would be refused as too large.
  maxInputBytes: wholeNumber("MAX_INPUT_BYTES", "the largest upload a form admits (its content-length-range)", DEFAULT_IMAGE_LIMITS.maxInputBytes, {
    min: 1,
    max: MAX_UPLOAD_BYTES,
  }),
  contentTypes: custom<string[], "never">(
    "UPLOAD_CONTENT_TYPES",
    "comma list of the content types a form admits",
    (value, name) => {
      if (value === undefined) return [...UPLOAD_CONTENT_TYPES];
      const types = value.split(",").map((t) => t.trim().toLowerCase());
      for (const type of types) {
        if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(type))
          throw new EnvVarError(name, value, `a comma list of ${UPLOAD_CONTENT_TYPES.join(", ")}${didYouMean(type, UPLOAD_CONTENT_TYPES)}`);
      }
      return types;
    },
    (value) => value.join(","),
    { setter: "never", shownDefault: UPLOAD_CONTENT_TYPES.join(",") },
  ),
  expirySeconds: wholeNumber(
    "UPLOAD_EXPIRY_SECONDS",
    "seconds an upload form stays valid",
    DEFAULT_UPLOAD_EXPIRY_SECONDS,
    { min: 30, max: MAX_UPLOAD_EXPIRY_SECONDS },
    { setter: "never" },
  ),
  publicUrl: optionalText("API_PUBLIC_URL", "local runs: the base of statusUrl (else https://<the request's domain>)", {
    setter: "never",
    check: httpUrl("http://127.0.0.1:8080"),
  }),
} satisfies EnvSchema;

const RESULT_PUBLISHER = {
  ...COMMON_ENVIRONMENT,
  ...DATABASE_ENVIRONMENT,
  eventBus: { ...EVENT_BUS_NAME, meaning: "the EventBridge bus owed result events go to" },
  maxEventsPerRun: wholeNumber(
    "MAX_EVENTS_PER_RUN",
    "owed events sent per run at most, so one run stays well inside its timeout",
    MAX_EVENTS_PER_RUN,
    { min: 1, max: 100_000 },
    { setter: "never" },
  ),
} satisfies EnvSchema;

/** Every function's environment, by function name. */
/**
 * The thumbnails function's settings apart from the resources it uses: the
 * program writes these values, and the local containers start with
 * THUMBNAILS_ENVIRONMENT, the same values written by the same writer.
 */
export const THUMBNAILS_SETTINGS = {
  mallocArenaMax: RUNTIME_ENV.MALLOC_ARENA_MAX,
  nodeOptions: RUNTIME_ENV.NODE_OPTIONS,
  // LAMBDA_TASK_ROOT is /var/task on Lambda.
  execWrapper: `/var/task/${EXEC_WRAPPER_FILE}`,
  maxInputBytes: DEFAULT_IMAGE_LIMITS.maxInputBytes,
  maxInputPixels: DEFAULT_IMAGE_LIMITS.maxInputPixels,
} as const;

export const THUMBNAILS_ENVIRONMENT: Readonly<Record<string, string>> = writeEnvironment(
  {
    mallocArenaMax: THUMBNAILS.mallocArenaMax,
    nodeOptions: THUMBNAILS.nodeOptions,
    execWrapper: THUMBNAILS.execWrapper,
    maxInputBytes: THUMBNAILS.maxInputBytes,
    maxInputPixels: THUMBNAILS.maxInputPixels,
  },
  THUMBNAILS_SETTINGS,
);

export const FUNCTION_ENVIRONMENTS = {
  thumbnails: THUMBNAILS,
  migrate: MIGRATE,
  "oom-remediator": OOM_REMEDIATOR,
  "db-guard": DB_GUARD,
  canary: CANARY,
  "ticket-opener": TICKET_OPENER,
  "dlq-redriver": DLQ_REDRIVER,
  api: API,
  "result-publisher": RESULT_PUBLISHER,
} satisfies Record<FunctionName, EnvSchema>;
