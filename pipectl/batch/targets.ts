// Where `pipectl reprocess` and `pipectl dlq redrive` act: a deployed stack
// (AWS default credential chain, --region), a running local pipeline
// (--s3-endpoint/--sqs-endpoint), or a fresh local pipeline (--local).
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { Client } from "pg";
import { LOCAL_CREDENTIALS } from "../../local/local-aws";
import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline";

export interface TargetOptions {
  local?: boolean;
  region?: string;
  s3Endpoint?: string;
  sqsEndpoint?: string;
  databaseUrl?: string;
}

export interface Target {
  s3: S3Client;
  sqs: SQSClient;
  region: string;
  databaseUrl: string;
  /** Set with --local: the pipeline this command started (and stops). */
  pipeline?: LocalPipeline;
  close(): Promise<void>;
}

/** An endpoint on this machine: the local pipeline's servers, which accept only their own credentials. */
export function isLocalEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === "localhost" || host === "[::1]" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * Client settings per target. Endpoints on this machine (what `npm start`
 * prints) sign with the credentials the local servers accept, whatever AWS
 * credentials the shell holds; other endpoints and AWS itself use the
 * default credential chain.
 */
export function clientConfigs(options: TargetOptions): { s3: S3ClientConfig; sqs: SQSClientConfig; region: string } {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("no region: pass --region (or set AWS_REGION)");
  const s3: S3ClientConfig = { region };
  const sqs: SQSClientConfig = { region };
  const local = (endpoint: string) => (isLocalEndpoint(endpoint) ? { credentials: { ...LOCAL_CREDENTIALS } } : {});
  if (options.s3Endpoint) Object.assign(s3, { endpoint: options.s3Endpoint, forcePathStyle: true }, local(options.s3Endpoint));
  if (options.sqsEndpoint) Object.assign(sqs, { endpoint: options.sqsEndpoint }, local(options.sqsEndpoint));
  return { s3, sqs, region };
}

export async function openTarget(options: TargetOptions, log: (line: string) => void): Promise<Target> {
  if (options.local) {
    log("starting a local pipeline whose raw bucket notifications are off, so only this command sends objects through...");
    const pipeline = await startLocalPipeline({ databaseUrl: options.databaseUrl ?? process.env.DATABASE_URL, log, notifications: false });
    return { s3: pipeline.s3, sqs: pipeline.sqs, region: pipeline.region, databaseUrl: pipeline.databaseUrl, pipeline, close: () => pipeline.stop() };
  }
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error("no database: pass --database-url (or set DATABASE_URL); runs and their checkpoints are kept there, next to the images table");
  }
  const configs = clientConfigs({ ...options, region: options.region ?? (options.s3Endpoint || options.sqsEndpoint ? "us-east-1" : undefined) });
  const s3 = new S3Client(configs.s3);
  const sqs = new SQSClient(configs.sqs);
  return {
    s3,
    sqs,
    region: configs.region,
    databaseUrl,
    async close() {
      s3.destroy();
      sqs.destroy();
    },
  };
}

/** A short-lived connection for reading the images table. */
export async function connect(databaseUrl: string): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl, application_name: "pipectl" });
  await client.connect();
  return client;
}

/**
 * The in-process handler logs JSON lines and EMF metrics meant for
 * CloudWatch; a command's own report says what happened, so they are off
 * unless the environment asks for them.
 */
export function quietLocalHandler(): void {
  process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
}
