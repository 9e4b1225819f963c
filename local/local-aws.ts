// The in-process stand-ins for S3 and SQS used by `npm start` and the tests.
//
// Evaluation (see docs/operations.md): fauxqs 1.x (the last line that runs on
// Node 20) implements SQS faithfully, including visibility timeouts and
// RedrivePolicy dead-lettering, but its S3 has no versioning and no event
// notifications. s3rver emits S3 event notifications for every write, whoever
// the writer is. So S3 is s3rver and SQS is fauxqs; `onObjectCreated` is the
// hook the local pipeline uses to route notifications into a queue, as S3's
// bucket notification configuration does in AWS.
import crypto from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import type { S3EventRecord } from "aws-lambda";
import type { EventEmitter } from "node:events";
import S3rver from "s3rver";
import { installSafeStore } from "./s3-store";

/** An S3 event notification record as s3rver emits it (key not URL-encoded): part of @types/aws-lambda's S3EventRecord. */
export type LocalS3EventRecord = Pick<S3EventRecord, "eventName" | "eventTime" | "awsRegion"> & {
  s3: {
    bucket: Pick<S3EventRecord["s3"]["bucket"], "name" | "arn">;
    object: Pick<S3EventRecord["s3"]["object"], "key"> & Partial<Omit<S3EventRecord["s3"]["object"], "key">>;
  };
};

export interface LocalAws {
  region: string;
  s3Endpoint: string;
  sqsEndpoint: string;
  /** Client config for @aws-sdk/client-s3 pointed at the local S3. */
  s3Config: S3ClientConfig;
  /** Client config for @aws-sdk/client-sqs pointed at the local SQS. */
  sqsConfig: SQSClientConfig;
  /** Subscribes to every ObjectCreated notification; returns an unsubscribe function. */
  onObjectCreated(listener: (record: LocalS3EventRecord) => void): () => void;
  /**
   * Bodies of every message in a queue (ready, in flight or delayed), read
   * without receiving them, so receive counts and visibility are untouched.
   * Undefined when there is no such queue.
   */
  peekQueue(queueName: string): string[] | undefined;
  stop(): Promise<void>;
}

export interface LocalAwsOptions {
  region?: string;
  /** Folder for s3rver's objects; a temporary one (removed on stop) by default. */
  directory?: string;
}

/**
 * s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3
 * (Node 17+) refuses unless started with --openssl-legacy-provider: every
 * truncated listing then fails with InternalError, so paging through more
 * than one page of keys is impossible. The token is only an opaque cursor
 * (iv + "ciphertext" of `region/bucket/lastKey`), so when DES is unavailable
 * its cipher is replaced by a pass-through for `des` alone; every other
 * algorithm is untouched.
 */
function letS3rverPaginate(): void {
  try {
    crypto.createCipheriv("des", Buffer.alloc(8), Buffer.alloc(8));
    return;
  } catch {
    // DES unsupported: install the pass-through below.
  }
  const passThrough = () => {
    const transform = {
      update: (data: Buffer) => Buffer.from(data),
      final: () => Buffer.alloc(0),
    };
    return transform;
  };
  const mutable = crypto as unknown as Record<"createCipheriv" | "createDecipheriv", (...args: unknown[]) => unknown>;
  for (const name of ["createCipheriv", "createDecipheriv"] as const) {
    const original = mutable[name];
    mutable[name] = (algorithm: unknown, ...rest: unknown[]) => (algorithm === "des" ? passThrough() : original(algorithm, ...rest));
  }
}

/**
 * The credentials the local servers accept: s3rver knows this one access key
 * (and, started with allowMismatchedSignatures, takes any signature by it);
 * fauxqs takes any. Every local client, `pipectl` included, signs with these.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const region = options.region ?? "us-east-1";
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), "pipeline-s3-"));

  letS3rverPaginate();
  // Keys are data: no key can lead the store outside its directory or crash the process.
  installSafeStore();
  const s3rver = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    allowMismatchedSignatures: true,
  });
  const { port: s3Port } = await s3rver.run();
  // s3rver is an EventEmitter at runtime; its published types omit that.
  const s3Events = s3rver as unknown as EventEmitter;

  // fauxqs is ESM-only; a dynamic import keeps this module CommonJS.
  const { startFauxqs } = await import("fauxqs");
  const fauxqs = await startFauxqs({ port: 0, logger: false });

  const s3Endpoint = `http://127.0.0.1:${s3Port}`;
  const sqsEndpoint = fauxqs.address;

  return {
    region,
    s3Endpoint,
    sqsEndpoint,
    s3Config: { endpoint: s3Endpoint, region, credentials: LOCAL_CREDENTIALS, forcePathStyle: true },
    sqsConfig: { endpoint: sqsEndpoint, region, credentials: LOCAL_CREDENTIALS },
    onObjectCreated(listener) {
      const handler = (event: { Records: LocalS3EventRecord[] }) => {
        for (const record of event.Records) {
          if (record.eventName.startsWith("ObjectCreated:")) listener(record);
        }
      };
      s3Events.on("event", handler);
      return () => s3Events.off("event", handler);
    },
    peekQueue(queueName) {
      const queue = fauxqs.inspectQueue(queueName);
      if (!queue) return undefined;
      const { ready, delayed, inflight } = queue.messages;
      return [...ready, ...delayed, ...inflight.map((entry) => entry.message)].map((message) => message.body);
    },
    async stop() {
      await fauxqs.stop();
      await s3rver.close();
      if (ownDirectory) rmSync(directory, { recursive: true, force: true });
    },
  };
}
