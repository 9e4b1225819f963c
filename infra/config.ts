// The stack's configuration, in one typed module. `parseConfig` is pure: it
// takes the raw values of the `thumbnail-pipeline:*` keys (already decoded from
// YAML/JSON) and the plaintext of the secret keys, and either returns a
// complete PipelineConfig with every default filled in, or throws a
// ConfigError listing every bad key, its value (never a secret's) and the
// expected form; a near miss of an allowed value or key is answered with
// "did you mean". `readPipelineConfig` reads the stack through pulumi.Config,
// secrets through getSecret, and is what the program calls before it
// registers any resource.
import * as pulumi from "@pulumi/pulumi";
import {
  CONNECTION_CEILING,
  CONNECTION_STEP,
  DEFAULT_FORMATS,
  DEFAULT_RETRY_SCHEDULE,
  DEFAULT_SIZES,
  FUNCTION_NAMES,
  LAMBDA_MEMORY_MB,
  LOG_LEVELS,
  MAX_REDRIVES,
  MEMORY_CAP_MB,
  MEMORY_STEP_MB,
  OUTPUT_FORMATS,
  POSTGRES_PORT,
  REMEDIATION_COOLDOWN_SECONDS,
  SIZE_NAME_EXPECTED,
  SQS_MAX_VISIBILITY_SECONDS,
  THUMBNAIL_WIDTH_EXPECTED,
  canonicalFormat,
  didYouMean,
  sizeProblems,
  survivableOutageSeconds,
  type FunctionName,
  type LogLevel,
  type OutputFormat,
  type RetrySchedule,
  type ThumbnailSize,
} from "../contracts";
import { parseApiConfig, type ApiStackConfig } from "./api-config";
import { readSourceFacts, sourceWebUrl, type SourceFacts } from "../policies/support/source-link";

export const CONFIG_NAMESPACE = "thumbnail-pipeline";

/**
 * Keys whose values are secrets: read with getSecret, kept as secret Outputs
 * into the resources that take them, never echoed in an error. Set them with
 * `pulumi config set --secret`.
 */
export const SECRET_KEYS = ["alertHttpsEndpoints"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/**
 * What the offline plan and check put in place of each secret key a stack file
 * holds encrypted, since they cannot decrypt it: a value of the shape
 * parseConfig validates, marked secret like the real one, at a host that
 * never resolves. `pulumi preview`/`up` read the real value instead.
 */
export const OFFLINE_SECRET_STAND_INS: Readonly<Record<SecretKey, string>> = {
  alertHttpsEndpoints: JSON.stringify(["https://alerts.offline.invalid/enqueue"]),
};

// Function names, log levels and the thumbnail rules are the contracts' (contracts/).
export { DATABASE_FUNCTIONS, FUNCTION_NAMES, LOG_LEVELS, type FunctionName } from "../contracts";

export interface RegionConfig {
  /** AWS region code, e.g. "eu-central-1". */
  name: string;
  /** Why the region's data must stay in it (one of RESIDENCY_REASONS); shown in outputs and tags. */
  residency?: ResidencyReason;
  /** Jurisdiction label; defaults to the region's geography ("eu", "us", "ap", ...). */
  jurisdiction: string;
  /** Where this region's logs are archived: its own logArchiveRegion, else the central log region. */
  logArchiveRegion: string;
}

export type { ThumbnailSize };

export interface FunctionSettings {
  memoryMb: number;
  timeoutSeconds: number;
}

/** A PostgreSQL the stack does not own (one per region), reached over a network path its owner provides. */
export interface ExistingDatabase {
  /** Secrets Manager secret with `username` and `password`. */
  secretArn: string;
  host: string;
  port: number;
  dbName: string;
  /** RDS identifiers for the alarms and for db-guard (measure, raise max_connections). */
  instanceId: string;
  parameterGroupName: string;
  /** Where the database answers; the functions' security group allows PostgreSQL there only. */
  cidr: string;
}

export interface ManagedDatabaseConfig {
  instanceClass: string;
  /** Managed: the size created. Existing: the instance's size, for the free-storage alarm. */
  allocatedStorageGb: number;
  maxAllocatedStorageGb: number;
  engineVersion: string;
  /** Deploy-time max_connections (existing: the database's current value); an SSM floor raised by db-guard wins when higher. */
  maxConnections: number;
  /** db-guard never raises max_connections above this. */
  connectionCeiling: number;
  connectionStep: number;
  rdsProxy: boolean;
  allowReboot: boolean;
  backupRetentionDays: number;
  deletionProtection: boolean;
  multiAz: boolean;
  dbName: string;
  /** When set, no RDS instance is created: each region uses its entry (keys are exactly the stack's regions). */
  existing?: Record<string, ExistingDatabase>;
}

export interface JiraConfig {
  baseUrl: string;
  projectKey: string;
  issueType: string;
  secretArn: string;
}

export interface PipelineConfig {
  stack: string;
  namePrefix: string;
  regions: RegionConfig[];
  centralLogRegion: string;
  thumbnailSizes: ThumbnailSize[];
  thumbnailFormats: OutputFormat[];
  functions: Record<FunctionName, FunctionSettings>;
  remediation: { memoryStepMb: number; memoryCapMb: number; cooldownSeconds: number };
  /** Upper bound for the thumbnails event source's maximumConcurrency; the connection budget may lower it. */
  thumbnailsMaxConcurrency?: number;
  queue: {
    batchSize: number;
    /** Receives before the DLQ, and the doubling backoff between them (contracts/retry-schedule.ts). */
    retry: RetrySchedule;
    /** An outage this long must end with no dead letters; the retry schedule is checked against it. */
    outageToleranceMinutes: number;
    /** How many times dlq-redriver sends one message back before it opens a ticket instead. */
    maxRedrives: number;
    retentionDays: number;
  };
  database: ManagedDatabaseConfig;
  /** `httpsEndpoints` come from the secret key alertHttpsEndpoints and stay secret Outputs. */
  alerts: { emails: string[]; httpsEndpoints: pulumi.Output<string>[] };
  ticketing: { jira?: JiraConfig };
  logRetentionDays: number;
  archiveRetentionDays: number;
  rawRetentionDays: number;
  runbookBaseUrl: string;
  logLevel: LogLevel;
  /** When set, logs ship to these existing destinations (by jurisdiction) and the stack creates no archive. */
  existingLogDestinations?: Record<string, ExistingLogDestination>;
  /** The HTTP API of every region (infra/api-config.ts). */
  api: ApiStackConfig;
}

/** The stack's config is wrong: every problem, each naming its key (a function's environment has its own EnvVarError). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stack configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Every AWS commercial region a Lambda/RDS/Firehose pipeline can run in. */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "ca-west-1",
  "mx-central-1",
  "sa-east-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-east-1",
  "me-south-1",
  "me-central-1",
  "il-central-1",
  "af-south-1",
] as const;

/** Jurisdiction labels: the geographies of the regions above ("eu", "us", "ap", ...). */
export const JURISDICTIONS: readonly string[] = [...new Set(AWS_REGIONS.map((region) => region.split("-")[0]))];

/** Why a region must keep its data; a new reason is added here, so a typo never passes as one. */
export const RESIDENCY_REASONS = ["legal"] as const;
export type ResidencyReason = (typeof RESIDENCY_REASONS)[number];

/**
 * RDS for PostgreSQL instance classes, as family x size. A class AWS added
 * after this list is added here (a near miss of a listed one is a typo).
 */
export const RDS_INSTANCE_FAMILIES = [
  "t3",
  "t4g",
  "m5",
  "m5d",
  "m6g",
  "m6gd",
  "m6i",
  "m6id",
  "m6idn",
  "m6in",
  "m7g",
  "m7i",
  "m8g",
  "r5",
  "r5b",
  "r5d",
  "r6g",
  "r6gd",
  "r6i",
  "r6id",
  "r6idn",
  "r6in",
  "r7g",
  "r7i",
  "r8g",
  "x2g",
  "x2idn",
  "x2iedn",
] as const;
export const RDS_INSTANCE_SIZES = [
  "micro",
  "small",
  "medium",
  "large",
  "xlarge",
  "2xlarge",
  "4xlarge",
  "8xlarge",
  "12xlarge",
  "16xlarge",
  "24xlarge",
  "32xlarge",
  "48xlarge",
] as const;
const RDS_INSTANCE_CLASSES: readonly string[] = RDS_INSTANCE_FAMILIES.flatMap((family) => RDS_INSTANCE_SIZES.map((size) => `db.${family}.${size}`));

/** PostgreSQL major versions RDS offers that the migrations are tested against. */
export const POSTGRES_MAJOR_VERSIONS = ["13", "14", "15", "16", "17"] as const;

// Lambda limits memory to 128..10240 MB and timeouts to 900 s.
const LAMBDA_MEMORY = LAMBDA_MEMORY_MB;
const LAMBDA_TIMEOUT_MAX = 900;
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** Longest suffix the program appends to `<namePrefix>-<region>-` (bucket names also get `-<12-digit account>`). */
const LONGEST_NAME_SUFFIX = "result-publisher";
const LONGEST_REGION = "ap-southeast-4";

export const DEFAULT_FUNCTIONS: Readonly<Record<FunctionName, FunctionSettings>> = {
  thumbnails: { memoryMb: 512, timeoutSeconds: 60 },
  migrate: { memoryMb: 256, timeoutSeconds: 300 },
  "oom-remediator": { memoryMb: 256, timeoutSeconds: 60 },
  "db-guard": { memoryMb: 256, timeoutSeconds: 50 },
  canary: { memoryMb: 256, timeoutSeconds: 180 },
  "ticket-opener": { memoryMb: 256, timeoutSeconds: 30 },
  "dlq-redriver": { memoryMb: 256, timeoutSeconds: 120 },
  // API Gateway gives up on an integration after 30 s; the handler answers in milliseconds.
  api: { memoryMb: 256, timeoutSeconds: 10 },
  "result-publisher": { memoryMb: 256, timeoutSeconds: 50 },
};

export function jurisdictionOf(region: string): string {
  return region.split("-")[0];
}

type Raw = Record<string, unknown>;

/** Collects problems instead of stopping at the first, so one run shows every bad key. */
export class Reader {
  readonly problems: string[] = [];

  constructor(private readonly raw: Raw) {}

  key(path: string): string {
    return `${CONFIG_NAMESPACE}:${path}`;
  }

  fail(path: string, value: unknown, expected: string): void {
    this.problems.push(`${this.key(path)}: ${show(value)} ${expected}`);
  }

  /** A secret's problem: what is wrong with it, never its value. */
  failSecret(path: string, expected: string): void {
    this.problems.push(`${this.key(path)}: (secret, not shown) ${expected}`);
  }

  /** A value from a closed set; a near miss is answered with the allowed value it resembles. */
  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[], fallback: T | undefined, what: string): T | undefined {
    if (value === undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    const hint = didYouMean(value, allowed);
    this.fail(path, value, `is not ${what}${hint || `; expected one of ${allowed.join(", ")}`}`);
    return fallback;
  }

  top(name: string): unknown {
    return this.raw[name];
  }

  object(path: string, value: unknown): Raw | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path, value, "is not an object; expected a mapping of keys to values");
      return undefined;
    }
    return value as Raw;
  }

  string(path: string, value: unknown, fallback: string | undefined, pattern?: { re: RegExp; expected: string }): string | undefined {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || value.length === 0) {
      this.fail(path, value, "is not a non-empty string");
      return fallback;
    }
    if (pattern && !pattern.re.test(value)) {
      this.fail(path, value, pattern.expected);
      return fallback;
    }
    return value;
  }

  integer(path: string, value: unknown, fallback: number, range: { min: number; max: number; expected?: string }): number {
    if (value === undefined) return fallback;
    const n = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n) || n < range.min || n > range.max) {
      this.fail(path, value, range.expected ?? `is out of range; expected an integer from ${range.min} to ${range.max}`);
      return fallback;
    }
    return n;
  }

  boolean(path: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    this.fail(path, value, `is not a boolean${didYouMean(value, ["true", "false"]) || "; expected true or false"}`);
    return fallback;
  }

  array(path: string, value: unknown): unknown[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.fail(path, value, "is not a list; expected a YAML sequence");
      return undefined;
    }
    return value;
  }

  region(path: string, value: unknown): string | undefined {
    if (typeof value !== "string" || !(AWS_REGIONS as readonly string[]).includes(value)) {
      this.fail(path, value, `is not an AWS region${didYouMean(value, AWS_REGIONS) || '; expected e.g. "eu-central-1"'}`);
      return undefined;
    }
    return value;
  }

  unknownKeys(path: string, obj: Raw, known: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!known.includes(k)) {
        const at = path ? `${path}.${k}` : k;
        const hint = didYouMean(k, known);
        // A mistyped key's value is shown as the key would have taken it; a secret key never gets here.
        this.problems.push(`${this.key(at)}: is not a known key${hint || `; expected one of ${known.join(", ")}`}`);
      }
    }
  }
}

function show(value: unknown): string {
  return value === undefined ? "(missing)" : JSON.stringify(value);
}

const TOP_KEYS = [
  "namePrefix",
  "regions",
  "centralLogRegion",
  "thumbnails",
  "functions",
  "remediation",
  "concurrency",
  "queue",
  "database",
  "alerts",
  "ticketing",
  "logRetentionDays",
  "archiveRetentionDays",
  "rawRetentionDays",
  "runbookBaseUrl",
  "logLevel",
  "existingLogDestinations",
  "api",
] as const;

const SET_SECRET = "pulumi config set --secret";

/**
 * Validates and completes the raw `thumbnail-pipeline:*` values of one stack.
 * `raw` maps keys without the namespace (e.g. "regions") to decoded values;
 * `secrets` holds the plaintext of the SECRET_KEYS that are set, read through
 * getSecret, which is only validated here and leaves as secret Outputs.
 */
export function parseConfig(stack: string, raw: Raw, secrets: Partial<Record<SecretKey, string>> = {}, source: SourceLocation = OFFLINE): PipelineConfig {
  const r = new Reader(raw);
  for (const key of SECRET_KEYS) {
    if (raw[key] !== undefined) r.failSecret(key, `must be read as a secret; set it with \`${SET_SECRET} ${CONFIG_NAMESPACE}:${key} ...\``);
  }
  r.unknownKeys("", Object.fromEntries(Object.entries(raw).filter(([key]) => !(SECRET_KEYS as readonly string[]).includes(key))), TOP_KEYS);

  const namePrefix = r.string("namePrefix", r.top("namePrefix"), `thumbpipe-${stack}`, {
    re: /^[a-z][a-z0-9-]*[a-z0-9]$/,
    expected: 'is not a valid name prefix; expected lowercase letters, digits and dashes, e.g. "thumbpipe-dev"',
  }) as string;
  // Bucket names are `<prefix>-<region>-thumbnails-<account id>` (max 63); function and role names `<prefix>-<region>-<fn>` (max 64).
  const longest = Math.max(
    `${namePrefix}-${LONGEST_REGION}-thumbnails-123456789012`.length,
    `${namePrefix}-${LONGEST_REGION}-${LONGEST_NAME_SUFFIX}`.length + 1,
  );
  if (longest > 63) {
    r.fail(
      "namePrefix",
      namePrefix,
      `is too long: derived AWS names would reach ${longest} characters; expected at most ${namePrefix.length - (longest - 63)} characters`,
    );
  }

  const centralLogRegion = r.top("centralLogRegion") === undefined ? "us-east-1" : (r.region("centralLogRegion", r.top("centralLogRegion")) ?? "us-east-1");
  const regions = parseRegions(r, centralLogRegion);
  checkCdnLogRegions(r, regions);

  const thumbs = r.object("thumbnails", r.top("thumbnails")) ?? {};
  r.unknownKeys("thumbnails", thumbs, ["sizes", "formats"]);
  const thumbnailSizes = parseSizes(r, thumbs.sizes);
  const formatsRaw = r.array("thumbnails.formats", thumbs.formats) ?? [...DEFAULT_FORMATS];
  const thumbnailFormats: OutputFormat[] = [];
  formatsRaw.forEach((f, i) => {
    const format = canonicalFormat(f) ?? r.oneOf(`thumbnails.formats[${i}]`, f, OUTPUT_FORMATS, undefined, "a supported format");
    if (format === undefined) return;
    if (thumbnailFormats.includes(format)) r.fail(`thumbnails.formats[${i}]`, f, "is listed twice; expected each format once");
    else thumbnailFormats.push(format);
  });
  if (formatsRaw.length === 0) r.fail("thumbnails.formats", formatsRaw, "is empty; expected at least one format, the first being the primary");

  const rem = r.object("remediation", r.top("remediation")) ?? {};
  r.unknownKeys("remediation", rem, ["memoryStepMb", "memoryCapMb", "cooldownSeconds"]);
  const remediation = {
    memoryStepMb: r.integer("remediation.memoryStepMb", rem.memoryStepMb, MEMORY_STEP_MB, { min: 1, max: 2048 }),
    memoryCapMb: r.integer("remediation.memoryCapMb", rem.memoryCapMb, MEMORY_CAP_MB, { min: LAMBDA_MEMORY.min, max: LAMBDA_MEMORY.max }),
    cooldownSeconds: r.integer("remediation.cooldownSeconds", rem.cooldownSeconds, REMEDIATION_COOLDOWN_SECONDS, { min: 0, max: 86400 }),
  };

  const functions = parseFunctions(r, remediation.memoryCapMb);

  const conc = r.object("concurrency", r.top("concurrency")) ?? {};
  r.unknownKeys("concurrency", conc, ["thumbnailsMax"]);
  const thumbnailsMaxConcurrency =
    conc.thumbnailsMax === undefined
      ? undefined
      : r.integer("concurrency.thumbnailsMax", conc.thumbnailsMax, 2, {
          min: 2,
          max: 1000,
          expected: "is out of range; expected an integer from 2 (the SQS event source minimum) to 1000",
        });

  const queue = parseQueue(r);

  const database = parseDatabase(
    r,
    regions.map((x) => x.name),
  );

  const alertsRaw = r.object("alerts", r.top("alerts")) ?? {};
  if (alertsRaw.httpsEndpoints !== undefined) {
    // An integration URL carries its key: it must never sit in a plain stack file.
    r.problems.push(
      `${r.key("alerts.httpsEndpoints")}: (not shown) is plain config, but an https endpoint carries its integration key; ` +
        `remove it and set it as a secret: \`${SET_SECRET} ${CONFIG_NAMESPACE}:alertHttpsEndpoints 'https://events.pagerduty.com/integration/<key>/enqueue'\``,
    );
  }
  r.unknownKeys("alerts", Object.fromEntries(Object.entries(alertsRaw).filter(([key]) => key !== "httpsEndpoints")), ["emails"]);
  const emails = (r.array("alerts.emails", alertsRaw.emails) ?? []).filter((e, i) => {
    const ok = typeof e === "string" && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e);
    if (!ok) r.fail(`alerts.emails[${i}]`, e, 'is not an email address; expected e.g. "oncall@example.com"');
    return ok;
  }) as string[];
  const httpsEndpoints = parseHttpsEndpoints(r, secrets.alertHttpsEndpoints);
  if (emails.length + httpsEndpoints.length === 0) {
    r.fail("alerts", r.top("alerts"), "has no endpoint; expected at least one of alerts.emails or the secret alertHttpsEndpoints so alarms reach a person");
  }

  const ticketing = parseTicketing(r);

  const retention = (key: string, fallback: number): number => {
    const v = r.top(key);
    const n = r.integer(key, v, fallback, { min: 1, max: 3653 });
    if (v !== undefined && !LOG_RETENTION_DAYS.includes(n)) {
      const nearest = [...LOG_RETENTION_DAYS]
        .sort((a, b) => Math.abs(a - n) - Math.abs(b - n) || a - b)
        .slice(0, 2)
        .sort((a, b) => a - b);
      r.fail(key, v, `is not a CloudWatch Logs retention; did you mean ${nearest.join(" or ")}? (allowed: ${LOG_RETENTION_DAYS.join(", ")})`);
    }
    return n;
  };
  const logRetentionDays = retention("logRetentionDays", 30);
  const archiveRetentionDays = r.integer("archiveRetentionDays", r.top("archiveRetentionDays"), 400, { min: 1, max: 3653 });
  const rawRetentionDays = r.integer("rawRetentionDays", r.top("rawRetentionDays"), 90, { min: 1, max: 3653 });
  const runbookBaseUrl =
    (
      r.string("runbookBaseUrl", r.top("runbookBaseUrl"), "", {
        re: /^https:\/\/\S+$/,
        expected: 'is not an https URL; expected e.g. "https://github.com/ORG/REPO/blob/main/docs/runbooks"',
      }) as string
    ).replace(/\/+$/, "") || defaultRunbookBase(r, source);
  const logLevel = r.oneOf("logLevel", r.top("logLevel"), LOG_LEVELS, "INFO", "a log level") as LogLevel;

  const existingLogDestinations = parseExistingLogDestinations(r, regions);
  const api = parseApiConfig(r, r.top("api"));

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return {
    stack,
    namePrefix,
    regions,
    centralLogRegion,
    thumbnailSizes,
    thumbnailFormats,
    functions,
    remediation,
    thumbnailsMaxConcurrency,
    queue,
    database,
    alerts: { emails, httpsEndpoints },
    ticketing,
    logRetentionDays,
    archiveRetentionDays,
    rawRetentionDays,
    runbookBaseUrl,
    logLevel,
    api,
    ...(existingLogDestinations ? { existingLogDestinations } : {}),
  };
}

// ---------------------------------------------------------------------------
// Log shipping and access logs (issue 10): an organisation's existing log
// destinations instead of the stack's own archive, and the regions whose
// buckets CloudFront cannot deliver its standard logs to.

/** A CloudWatch Logs destination of an organisation's log-archive account, in every source region under one name. */
export interface ExistingLogDestination {
  accountId: string;
  destinationName: string;
}

/** The jurisdiction whose archive a region's logs go to: that of its log archive region. */
export function shippingJurisdiction(region: RegionConfig): string {
  return jurisdictionOf(region.logArchiveRegion);
}

/** Opt-in regions CloudFront does not deliver standard logs to (AWS: AWSConfigRemediation-EnableCloudFrontAccessLogs). */
export const CDN_LOG_UNSUPPORTED_REGIONS: readonly string[] = ["af-south-1", "ap-east-1", "eu-south-1", "me-south-1"];

function checkCdnLogRegions(r: Reader, regions: RegionConfig[]): void {
  regions.forEach((region, i) => {
    if (CDN_LOG_UNSUPPORTED_REGIONS.includes(region.name)) {
      r.fail(
        `regions[${i}].name`,
        region.name,
        "is a region CloudFront cannot deliver its access logs to, and every region's CDN logs to a bucket of its own region; expected another region",
      );
    }
  });
}

function parseExistingLogDestinations(r: Reader, regions: RegionConfig[]): Record<string, ExistingLogDestination> | undefined {
  const map = r.object("existingLogDestinations", r.top("existingLogDestinations"));
  if (!map) return undefined;
  const needed = [...new Set(regions.map(shippingJurisdiction))].sort();
  for (const j of needed) {
    if (map[j] === undefined)
      r.fail(
        `existingLogDestinations.${j}`,
        undefined,
        `is required: regions ${regions
          .filter((x) => shippingJurisdiction(x) === j)
          .map((x) => x.name)
          .join(", ")} ship to jurisdiction "${j}"`,
      );
  }
  const out: Record<string, ExistingLogDestination> = {};
  for (const [j, entry] of Object.entries(map)) {
    const path = `existingLogDestinations.${j}`;
    if (!needed.includes(j)) {
      r.fail(path, entry, `is not a jurisdiction this stack ships logs to; expected one of ${needed.join(", ")}`);
      continue;
    }
    const e = r.object(path, entry);
    if (!e) continue;
    r.unknownKeys(path, e, ["accountId", "destinationName"]);
    if (e.accountId === undefined) r.fail(`${path}.accountId`, undefined, "is required; expected the 12-digit account of the log destinations");
    if (e.destinationName === undefined)
      r.fail(`${path}.destinationName`, undefined, "is required; expected the CloudWatch Logs destination's name, the same in every source region");
    const accountId = r.string(`${path}.accountId`, e.accountId, "", {
      re: /^\d{12}$/,
      expected: 'is not an AWS account id; expected 12 digits, e.g. "111122223333"',
    }) as string;
    const destinationName = r.string(`${path}.destinationName`, e.destinationName, "", {
      re: /^[^:*\s]{1,512}$/,
      expected: "is not a CloudWatch Logs destination name; expected 1 to 512 characters without ':', '*' or spaces",
    }) as string;
    out[j] = { accountId, destinationName };
  }
  return out;
}

function parseRegions(r: Reader, centralLogRegion: string): RegionConfig[] {
  const list = r.array("regions", r.top("regions"));
  if (list === undefined || list.length === 0) {
    r.fail("regions", r.top("regions"), 'is missing or empty; expected a list like [{ name: "eu-central-1" }]');
    return [];
  }
  const out: RegionConfig[] = [];
  list.forEach((item, i) => {
    const path = `regions[${i}]`;
    const obj = typeof item === "string" ? { name: item } : r.object(path, item);
    if (!obj) return;
    r.unknownKeys(path, obj, ["name", "residency", "jurisdiction", "logArchiveRegion"]);
    const name = r.region(`${path}.name`, obj.name);
    if (!name) return;
    if (out.some((o) => o.name === name)) {
      r.fail(`${path}.name`, name, "is listed twice; expected each region once");
      return;
    }
    // A misspelt reason would quietly drop the region's guarantees: it is refused, with the reason it resembles.
    const residency = r.oneOf(`${path}.residency`, obj.residency, RESIDENCY_REASONS, undefined, "a residency reason");
    const jurisdiction = r.oneOf(
      `${path}.jurisdiction`,
      obj.jurisdiction,
      JURISDICTIONS,
      jurisdictionOf(name),
      "a jurisdiction (the geography part of region names)",
    ) as string;
    let logArchiveRegion = centralLogRegion;
    if (obj.logArchiveRegion !== undefined) {
      const archive = r.region(`${path}.logArchiveRegion`, obj.logArchiveRegion);
      if (archive && jurisdictionOf(archive) !== jurisdiction) {
        r.fail(`${path}.logArchiveRegion`, archive, `is outside the region's jurisdiction "${jurisdiction}"; expected a region of that jurisdiction`);
      } else if (archive) logArchiveRegion = archive;
    } else if (residency !== undefined && jurisdictionOf(centralLogRegion) !== jurisdiction) {
      // The story's "region for legal reasons" must still ship its logs, to an archive it may legally use.
      r.fail(
        `${path}.logArchiveRegion`,
        undefined,
        `is required: ${name} is a residency region ("${residency}", jurisdiction "${jurisdiction}") and the central log region ${centralLogRegion} is outside it; expected a region of jurisdiction "${jurisdiction}"`,
      );
    }
    out.push({ name, ...(residency !== undefined ? { residency } : {}), jurisdiction, logArchiveRegion });
  });
  return out;
}

function parseSizes(r: Reader, value: unknown): ThumbnailSize[] {
  const list = r.array("thumbnails.sizes", value) ?? DEFAULT_SIZES.map((s) => ({ ...s }));
  if (list.length === 0) r.fail("thumbnails.sizes", list, "is empty; expected at least one size like { name: small, width: 160 }");
  const sizes: ThumbnailSize[] = [];
  list.forEach((item, i) => {
    const path = `thumbnails.sizes[${i}]`;
    const obj = r.object(path, item);
    if (!obj) return;
    r.unknownKeys(path, obj, ["name", "width"]);
    // The rule the functions apply to THUMBNAIL_SIZES too (contracts/thumbnails.ts).
    const width = typeof obj.width === "string" && /^\d+$/.test(obj.width) ? Number(obj.width) : obj.width;
    const problems = sizeProblems({ name: obj.name, width });
    const name = problems.some((p) => p.field === "name") ? undefined : (obj.name as string);
    if (obj.name === undefined) r.fail(`${path}.name`, undefined, `is required; expected ${SIZE_NAME_EXPECTED}`);
    else if (name === undefined) r.fail(`${path}.name`, obj.name, `is not a size name; expected ${SIZE_NAME_EXPECTED}`);
    if (obj.width === undefined) r.fail(`${path}.width`, undefined, `is required; expected ${THUMBNAIL_WIDTH_EXPECTED}`);
    else if (problems.some((p) => p.field === "width")) r.fail(`${path}.width`, obj.width, `is not a thumbnail width; expected ${THUMBNAIL_WIDTH_EXPECTED}`);
    if (name && sizes.some((s) => s.name === name)) r.fail(`${path}.name`, name, "is listed twice; expected unique size names");
    else if (name && problems.length === 0) sizes.push({ name, width: width as number });
  });
  return sizes;
}

function parseFunctions(r: Reader, memoryCapMb: number): Record<FunctionName, FunctionSettings> {
  const obj = r.object("functions", r.top("functions")) ?? {};
  r.unknownKeys("functions", obj, FUNCTION_NAMES);
  const out = {} as Record<FunctionName, FunctionSettings>;
  for (const fn of FUNCTION_NAMES) {
    const path = `functions.${fn}`;
    const f = r.object(path, obj[fn]) ?? {};
    r.unknownKeys(path, f, ["memoryMb", "timeoutSeconds"]);
    const memoryMb = r.integer(`${path}.memoryMb`, f.memoryMb, DEFAULT_FUNCTIONS[fn].memoryMb, {
      min: LAMBDA_MEMORY.min,
      max: memoryCapMb,
      expected: `is out of range; expected an integer from ${LAMBDA_MEMORY.min} to the remediation cap ${memoryCapMb} MB`,
    });
    const timeoutSeconds = r.integer(`${path}.timeoutSeconds`, f.timeoutSeconds, DEFAULT_FUNCTIONS[fn].timeoutSeconds, {
      min: 1,
      max: LAMBDA_TIMEOUT_MAX,
      expected: `is out of range; expected seconds from 1 to ${LAMBDA_TIMEOUT_MAX}`,
    });
    out[fn] = { memoryMb, timeoutSeconds };
  }
  // db-guard runs every minute; a run longer than that would overlap the next.
  if (out["db-guard"].timeoutSeconds > 59) {
    r.fail("functions.db-guard.timeoutSeconds", out["db-guard"].timeoutSeconds, "is too long for a one-minute schedule; expected at most 59");
  }
  return out;
}

function parseExisting(r: Reader, value: unknown, regions: string[]): Record<string, ExistingDatabase> | undefined {
  const map = r.object("database.existing", value);
  if (!map) return undefined;
  const out: Record<string, ExistingDatabase> = {};
  for (const region of regions) {
    if (map[region] === undefined)
      r.fail(`database.existing.${region}`, undefined, "is required: with database.existing every region of the stack names its database");
  }
  for (const [region, entry] of Object.entries(map)) {
    const path = `database.existing.${region}`;
    if (!regions.includes(region)) {
      r.problems.push(`${r.key(path)}: is not a region of this stack${didYouMean(region, regions) || `; expected one of ${regions.join(", ")}`}`);
      continue;
    }
    const e = r.object(path, entry);
    if (!e) continue;
    r.unknownKeys(path, e, ["secretArn", "host", "port", "dbName", "instanceId", "parameterGroupName", "cidr"]);
    const need = (key: string, re: RegExp, expected: string): string => {
      if (e[key] === undefined) r.fail(`${path}.${key}`, undefined, `is required; expected ${expected}`);
      return r.string(`${path}.${key}`, e[key], "", { re, expected: `is malformed; expected ${expected}` }) as string;
    };
    out[region] = {
      secretArn: need("secretArn", new RegExp(`^arn:aws[a-z-]*:secretsmanager:${region}:\\d{12}:secret:.+$`), `a Secrets Manager secret ARN in ${region}`),
      host: need("host", /^[a-zA-Z0-9.-]+$/, 'a host name like "db.internal.example.com"'),
      port: r.integer(`${path}.port`, e.port, POSTGRES_PORT, { min: 1, max: 65535 }),
      dbName: need("dbName", /^[a-z][a-z0-9_]{0,62}$/, 'a PostgreSQL database name like "thumbnails"'),
      instanceId: need("instanceId", /^[a-z][a-z0-9-]{0,62}$/, "the RDS DB instance identifier"),
      parameterGroupName: need("parameterGroupName", /^[a-zA-Z][a-zA-Z0-9-]{0,254}$/, "the instance's DB parameter group name"),
      cidr: need("cidr", /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'the CIDR the database answers in, like "10.50.0.0/16"'),
    };
  }
  return out;
}

function parseDatabase(r: Reader, regions: string[]): ManagedDatabaseConfig {
  const d = r.object("database", r.top("database")) ?? {};
  const known = [
    "instanceClass",
    "allocatedStorageGb",
    "maxAllocatedStorageGb",
    "engineVersion",
    "maxConnections",
    "connectionCeiling",
    "connectionStep",
    "rdsProxy",
    "allowReboot",
    "backupRetentionDays",
    "deletionProtection",
    "multiAz",
    "dbName",
    "existing",
  ];
  r.unknownKeys("database", d, known);
  const connectionCeiling = r.integer("database.connectionCeiling", d.connectionCeiling, CONNECTION_CEILING, { min: 10, max: 5000 });
  const allocatedStorageGb = r.integer("database.allocatedStorageGb", d.allocatedStorageGb, 20, { min: 20, max: 65536 });
  const database: ManagedDatabaseConfig = {
    instanceClass: parseInstanceClass(r, d.instanceClass),
    allocatedStorageGb,
    maxAllocatedStorageGb: r.integer("database.maxAllocatedStorageGb", d.maxAllocatedStorageGb, Math.max(100, allocatedStorageGb), {
      min: allocatedStorageGb,
      max: 65536,
      expected: `is out of range; expected at least database.allocatedStorageGb (${allocatedStorageGb})`,
    }),
    engineVersion: parseEngineVersion(r, d.engineVersion),
    maxConnections: r.integer("database.maxConnections", d.maxConnections, 100, {
      min: 10,
      max: connectionCeiling,
      expected: `is out of range; expected an integer from 10 to database.connectionCeiling (${connectionCeiling})`,
    }),
    connectionCeiling,
    connectionStep: r.integer("database.connectionStep", d.connectionStep, CONNECTION_STEP, { min: 1, max: 1000 }),
    rdsProxy: r.boolean("database.rdsProxy", d.rdsProxy, false),
    allowReboot: r.boolean("database.allowReboot", d.allowReboot, false),
    backupRetentionDays: r.integer("database.backupRetentionDays", d.backupRetentionDays, 7, {
      min: 1,
      max: 35,
      expected: "is out of range; expected 1 to 35 days (0 would disable backups)",
    }),
    deletionProtection: r.boolean("database.deletionProtection", d.deletionProtection, true),
    multiAz: r.boolean("database.multiAz", d.multiAz, false),
    dbName: r.string("database.dbName", d.dbName, "thumbnails", {
      re: /^[a-z][a-z0-9_]{0,62}$/,
      expected: 'is not a PostgreSQL database name; expected e.g. "thumbnails"',
    }) as string,
    existing: parseExisting(r, d.existing, regions),
  };
  if (database.existing && database.rdsProxy) {
    r.fail(
      "database.rdsProxy",
      true,
      "cannot be used with database.existing; expected false (put a proxy in front of the existing database and name its host instead)",
    );
  }
  return database;
}

function parseQueue(r: Reader): PipelineConfig["queue"] {
  const q = r.object("queue", r.top("queue")) ?? {};
  r.unknownKeys("queue", q, ["batchSize", "maxReceiveCount", "retryBaseSeconds", "outageToleranceMinutes", "maxRedrives", "retentionDays"]);
  const retry: RetrySchedule = {
    baseSeconds: r.integer("queue.retryBaseSeconds", q.retryBaseSeconds, DEFAULT_RETRY_SCHEDULE.baseSeconds, { min: 1, max: SQS_MAX_VISIBILITY_SECONDS }),
    maxReceiveCount: r.integer("queue.maxReceiveCount", q.maxReceiveCount, DEFAULT_RETRY_SCHEDULE.maxReceiveCount, { min: 2, max: 1000 }),
  };
  const outageToleranceMinutes = r.integer("queue.outageToleranceMinutes", q.outageToleranceMinutes, 30, { min: 1, max: 24 * 60 });
  const survivable = survivableOutageSeconds(retry);
  if (survivable < outageToleranceMinutes * 60) {
    r.fail(
      "queue.maxReceiveCount",
      retry.maxReceiveCount,
      `with queue.retryBaseSeconds ${retry.baseSeconds} survives an outage of ${Math.floor(survivable / 60)} min ${survivable % 60} s, ` +
        `less than queue.outageToleranceMinutes (${outageToleranceMinutes}); expected a higher maxReceiveCount or retryBaseSeconds (docs/operations.md, "Outages")`,
    );
  }
  return {
    batchSize: r.integer("queue.batchSize", q.batchSize, 5, { min: 1, max: 10 }),
    retry,
    outageToleranceMinutes,
    maxRedrives: r.integer("queue.maxRedrives", q.maxRedrives, MAX_REDRIVES, { min: 0, max: 100 }),
    retentionDays: r.integer("queue.retentionDays", q.retentionDays, 4, { min: 1, max: 14 }),
  };
}

/** The secret alert endpoints: each an https URL, validated here and handed on only as a secret Output. */
function parseHttpsEndpoints(r: Reader, plaintext: string | undefined): pulumi.Output<string>[] {
  if (plaintext === undefined) return [];
  let list: unknown = plaintext.trim();
  if (typeof list === "string" && list.startsWith("[")) {
    try {
      list = JSON.parse(list) as unknown;
    } catch {
      r.failSecret("alertHttpsEndpoints", "is not a JSON list; expected one https URL or a JSON list of them");
      return [];
    }
  }
  const urls = Array.isArray(list) ? list : [list];
  const out: pulumi.Output<string>[] = [];
  urls.forEach((url, i) => {
    if (typeof url === "string" && /^https:\/\/[^\s]+$/.test(url)) out.push(pulumi.secret(url));
    else r.failSecret(`alertHttpsEndpoints[${i}]`, 'is not an https URL; expected e.g. "https://events.pagerduty.com/integration/<key>/enqueue"');
  });
  return out;
}

function parseInstanceClass(r: Reader, value: unknown): string {
  const fallback = "db.t4g.micro";
  if (value === undefined) return fallback;
  if (typeof value === "string" && RDS_INSTANCE_CLASSES.includes(value)) return value;
  r.fail(
    "database.instanceClass",
    value,
    `is not an RDS for PostgreSQL instance class${didYouMean(value, RDS_INSTANCE_CLASSES) || '; expected db.<family>.<size>, e.g. "db.t4g.small"'} ` +
      "(a class newer than infra/config.ts knows is added to RDS_INSTANCE_FAMILIES)",
  );
  return fallback;
}

function parseEngineVersion(r: Reader, value: unknown): string {
  if (value === undefined) return "16";
  const text = typeof value === "number" ? String(value) : value;
  const match = typeof text === "string" ? /^(\d+)(\.\d+)?$/.exec(text) : null;
  if (typeof text === "string" && match && (POSTGRES_MAJOR_VERSIONS as readonly string[]).includes(match[1])) return text;
  const major = match?.[1] ?? (typeof text === "string" ? text : "");
  r.fail(
    "database.engineVersion",
    value,
    `is not a supported PostgreSQL version${didYouMean(major, POSTGRES_MAJOR_VERSIONS) || `; expected a major version ${POSTGRES_MAJOR_VERSIONS.join(", ")} (optionally with a minor, e.g. "16.4")`}`,
  );
  return "16";
}

function parseTicketing(r: Reader): { jira?: JiraConfig } {
  const t = r.object("ticketing", r.top("ticketing")) ?? {};
  r.unknownKeys("ticketing", t, ["jira"]);
  const j = r.object("ticketing.jira", t.jira);
  if (!j) return {};
  r.unknownKeys("ticketing.jira", j, ["baseUrl", "projectKey", "issueType", "secretArn"]);
  const need = (key: string, re: RegExp, expected: string): string => {
    if (j[key] === undefined) r.fail(`ticketing.jira.${key}`, undefined, `is required when ticketing.jira is set; expected ${expected}`);
    return r.string(`ticketing.jira.${key}`, j[key], "", { re, expected: `is malformed; expected ${expected}` }) as string;
  };
  return {
    jira: {
      baseUrl: need("baseUrl", /^https:\/\/[^\s/]+(\/[^\s]*)?$/, 'an https URL like "https://example.atlassian.net"').replace(/\/+$/, ""),
      projectKey: need("projectKey", /^[A-Z][A-Z0-9_]+$/, 'a Jira project key like "OPS"'),
      issueType: r.string("ticketing.jira.issueType", j.issueType, "Task") as string,
      secretArn: need(
        "secretArn",
        /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
        'a Secrets Manager secret ARN like "arn:aws:secretsmanager:eu-west-1:123456789012:secret:jira-AbCdEf"',
      ),
    },
  };
}

// ---------------------------------------------------------------------------
// Runbook links. Every alarm links its runbook page, read by an engineer paged
// at night, on whatever device pages them: the link must open the page of the
// code that is deployed. The rule (README, "Links to runbooks and policy
// docs"): `thumbnail-pipeline:runbookBaseUrl`; else the repository's web
// address at the commit (GitHub Actions, else a GitHub or GitLab origin);
// else, offline under mocks, where no alarm exists and nobody is paged,
// OFFLINE_RUNBOOK_BASE; a real preview or update with none fails here,
// naming the key, rather than deploy alarms whose link opens nothing. The
// rule itself is the pack's (policies/support/source-link.ts): the pack must
// stay self-contained, so the program imports it from there, never the
// other way round.

/** Where the runbooks are, relative to the repository root. */
export const RUNBOOKS_PATH = "docs/runbooks";

/**
 * The runbook base of an offline plan: no web address of the repository is
 * known and no alarm is created. `.invalid` can never resolve nor be
 * registered by anyone (RFC 2606), so it cannot send a reader to someone
 * else's page, and a real deployment never gets it.
 */
export const OFFLINE_RUNBOOK_BASE = `https://offline.invalid/${CONFIG_NAMESPACE}/${RUNBOOKS_PATH}`;

export interface SourceLocation extends SourceFacts {
  /** Whether the program talks to the Pulumi engine (a real preview or update), not to mocks offline. */
  deploying: boolean;
}

const OFFLINE: SourceLocation = { env: {}, dir: ".", deploying: false };

function defaultRunbookBase(r: Reader, source: SourceLocation): string {
  const derived = sourceWebUrl(RUNBOOKS_PATH, source);
  if (derived !== undefined) return derived;
  if (!source.deploying) return OFFLINE_RUNBOOK_BASE;
  r.fail(
    "runbookBaseUrl",
    undefined,
    "is not set and no web address of this repository is known (not in GitHub Actions, and git's origin is no GitHub or GitLab URL), so every alarm would link a runbook the engineer it pages cannot open; " +
      `set it to the web folder of ${RUNBOOKS_PATH}: \`pulumi config set ${CONFIG_NAMESPACE}:runbookBaseUrl https://<host>/<org>/<repo>/blob/<branch or commit>/${RUNBOOKS_PATH}\``,
  );
  return OFFLINE_RUNBOOK_BASE;
}

/**
 * The stack's config as the program reads it: every plain key through
 * pulumi.Config, every SECRET_KEY through getSecret (its plaintext only to
 * validate it, then as a secret Output), all before any resource exists.
 */
export async function readPipelineConfig(stack: string): Promise<PipelineConfig> {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const raw: Raw = {};
  for (const key of configuredKeys()) {
    if ((SECRET_KEYS as readonly string[]).includes(key)) continue;
    raw[key] = decodeValue(config.require(key));
  }
  const secrets: Partial<Record<SecretKey, string>> = {};
  for (const key of SECRET_KEYS) {
    const secret = config.getSecret(key);
    if (secret !== undefined) secrets[key] = await valueOf(secret);
  }
  // The engine is there in a real preview or update (the CLI passes its address), not under mocks.
  return parseConfig(stack, raw, secrets, { ...readSourceFacts(process.cwd()), deploying: pulumi.runtime.getEngine() !== undefined });
}

/**
 * The names set in this namespace, to refuse unknown (mistyped) ones:
 * pulumi.Config reads a value by name but cannot list names. Only the names
 * are taken here; every value is read through pulumi.Config.
 */
function configuredKeys(): string[] {
  const prefix = `${CONFIG_NAMESPACE}:`;
  return Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
}

/** A config Output's value: config is known in previews too, so this always settles. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => {
    output.apply((value) => {
      resolve(value);
      return value;
    });
  });
}

/**
 * Decodes Pulumi's flat config map (`{"thumbnail-pipeline:regions": "[...]"}`, values as
 * strings, structured ones as JSON) into the raw object parseConfig takes.
 */
export function rawConfigFromPulumi(all: Record<string, string>): Raw {
  const raw: Raw = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(prefix)) continue;
    raw[key.slice(prefix.length)] = decodeValue(value);
  }
  return raw;
}

function decodeValue(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}
