// The thumbnail handler end to end against real parts: PostgreSQL, the
// in-process S3 (s3rver), real sharp. Events are built as S3 and SQS build them.
import { strict as assert } from "node:assert";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { SQSBatchResponse } from "aws-lambda";
import sharp from "sharp";
import { migrate } from "../../../handlers/migrate";
import { createDatabaseClient, type Database } from "../../../handlers/shared/db";
import { createLogger } from "../../../handlers/shared/logger";
import { DimensionedMetrics } from "../../../handlers/shared/metrics";
import {
  createThumbnailHandler,
  goneTransactionIdFor,
  handler as deployedHandler,
  safeFolder,
  THUMBNAIL_CACHE_CONTROL,
  transactionIdFor,
  type ThumbnailHandler,
  type ThumbnailHandlerConfig,
} from "../../../handlers/thumbnails";
import { startLocalAws, type LocalAws } from "../../../local/local-aws";
import { freshDatabase } from "../../support/postgres";
import { captureOutput, lambdaContext, metricSum, s3Notification, s3Records, sqsBatch, type NotifiedObject } from "./support/events";
import { startS3Proxy } from "./support/s3-proxy";

const RAW = "raw";
const THUMBS = "thumbs";
const CAP = 1024 * 1024;

const config: ThumbnailHandlerConfig = {
  rawBucket: RAW,
  thumbnailsBucket: THUMBS,
  thumbnailsBaseUrl: "https://cdn.test",
  specs: [
    { name: "small", width: 160, format: "jpeg" },
    { name: "medium", width: 320, format: "jpeg" },
    { name: "small", width: 160, format: "webp" },
  ],
  limits: { maxInputBytes: CAP, maxInputPixels: 40_000_000 },
};

interface ImageRowView {
  transaction_id: string;
  status: string;
  failure_reason: string | null;
  failure_detail: string | null;
  correlation_id: string;
  raw_key: string;
  raw_version_id: string | null;
  original_url: string;
  thumbnail_url_small: string | null;
  thumbnail_url_medium: string | null;
  outputs: { name: string; format: string; key: string; url: string; width: number; height: number; bytes: number }[];
  input_format: string | null;
  input_width: number | null;
  input_bytes: string | null;
  output_bytes: string | null;
  stage_timings: Record<string, number>;
}

async function photo(width = 640, height = 480): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 251;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

describe("thumbnail handler", function () {
  let aws: LocalAws;
  let s3: S3Client;
  let databaseUrl: string;
  const databases: Database[] = [];
  let sequence = 0;

  before(async () => {
    aws = await startLocalAws();
    s3 = new S3Client(aws.s3Config);
    await s3.send(new CreateBucketCommand({ Bucket: RAW }));
    await s3.send(new CreateBucketCommand({ Bucket: THUMBS }));
    databaseUrl = await freshDatabase("thumbs");
    await migrate(databaseUrl);
  });

  after(async () => {
    await Promise.all(databases.map((database) => database.end()));
    await aws.stop();
  });

  /** A handler as one container builds it: its own pool of one connection. */
  function newHandler(options: { s3?: S3Client; url?: string; deadlineReserveMs?: number; releaseMemory?: () => void } = {}): ThumbnailHandler {
    const database = createDatabaseClient({ settings: { source: "url", url: options.url ?? databaseUrl, tls: undefined } });
    databases.push(database);
    return createThumbnailHandler({
      s3: options.s3 ?? s3,
      database,
      config,
      logger: createLogger({ serviceName: "thumbnails" }),
      metrics: new DimensionedMetrics({ namespace: "ThumbnailPipeline", serviceName: "thumbnails" }),
      ...(options.deadlineReserveMs !== undefined ? { deadlineReserveMs: options.deadlineReserveMs } : {}),
      ...(options.releaseMemory ? { releaseMemory: options.releaseMemory } : {}),
    });
  }

  /** Uploads to the raw bucket and returns the notification S3 would send (unversioned: eTag + sequencer). */
  async function upload(key: string, body: Buffer, correlationId?: string): Promise<NotifiedObject> {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: RAW, Key: key, Body: body, ...(correlationId ? { Metadata: { "correlation-id": correlationId } } : {}) }),
    );
    sequence += 1;
    return { bucket: RAW, key, eTag: (put.ETag ?? "").replace(/"/g, ""), sequencer: sequence.toString(16).toUpperCase().padStart(16, "0"), size: body.length };
  }

  /**
   * The transaction id the handler derives: the version when there is one,
   * else the object's own ETag and Last-Modified; the "gone" id when the key
   * no longer holds the event's bytes.
   */
  async function idOf(object: NotifiedObject): Promise<string> {
    if (object.versionId !== undefined) return transactionIdFor(object);
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
      if (object.eTag === undefined || head.ETag?.replace(/"/g, "") === object.eTag) return transactionIdFor({ ...object, lastModified: head.LastModified });
    } catch {
      // gone
    }
    return goneTransactionIdFor(object);
  }

  async function rowFor(transactionId: string | Promise<string>): Promise<ImageRowView | undefined> {
    transactionId = await transactionId;
    const database = createDatabaseClient({ settings: { source: "url", url: databaseUrl, tls: undefined } });
    try {
      const { rows } = await database.query<ImageRowView>("SELECT * FROM images WHERE transaction_id = $1", [transactionId]);
      return rows[0];
    } finally {
      await database.end();
    }
  }

  async function rowsOfKey(key: string): Promise<ImageRowView[]> {
    const database = createDatabaseClient({ settings: { source: "url", url: databaseUrl, tls: undefined } });
    try {
      return (await database.query<ImageRowView>("SELECT * FROM images WHERE raw_key = $1 ORDER BY created_at", [key])).rows;
    } finally {
      await database.end();
    }
  }

  async function keysUnder(prefix: string): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: THUMBS, Prefix: prefix }));
    return (listed.Contents ?? []).map((object) => object.Key ?? "").sort();
  }

  async function invoke(handler: ThumbnailHandler, bodies: string[], requestId = "req-1"): Promise<{ failures: string[]; lines: Record<string, unknown>[] }> {
    const event = sqsBatch(bodies.map((body, index) => ({ messageId: `m${index + 1}`, body })));
    const { result, lines } = await captureOutput(() => handler(event, lambdaContext(requestId)));
    const failures = (result as SQSBatchResponse).batchItemFailures.map((failure) => failure.itemIdentifier);
    return { failures, lines };
  }

  it("makes every thumbnail and one row for keys with spaces, unicode and +, with the uploader's correlation id", async () => {
    const image = await photo();
    const keys = ["user uploads/holiday photo.jpg", "ünïcödé/日本/写真.jpg", "c++/a+b=c.jpg"];
    const objects = await Promise.all(keys.map((key, i) => upload(key, image, `corr-${i}`)));
    const { failures, lines } = await invoke(
      newHandler(),
      objects.map((object) => s3Notification([object])),
    );
    assert.deepEqual(failures, []);

    for (const [i, object] of objects.entries()) {
      const transactionId = await idOf(object);
      const row = await rowFor(transactionId);
      assert.ok(row, `no row for ${object.key}`);
      assert.equal(row.status, "ok");
      assert.equal(row.raw_key, object.key);
      assert.equal(row.original_url, `s3://${RAW}/${object.key.split("/").map(encodeURIComponent).join("/")}`);
      assert.equal(row.correlation_id, `corr-${i}`);
      assert.equal(row.input_format, "jpeg");
      assert.equal(row.input_width, 640);
      assert.equal(Number(row.input_bytes), image.length);
      assert.equal(row.outputs.length, 3);
      assert.equal(
        Number(row.output_bytes),
        row.outputs.reduce((sum, output) => sum + output.bytes, 0),
      );
      for (const stage of ["lookup", "download", "decode", "resize", "encode", "upload"]) {
        assert.equal(typeof row.stage_timings[stage], "number", `stage_timings.${stage}`);
      }
      const small = row.outputs.find((output) => output.name === "small" && output.format === "jpeg");
      assert.equal(row.thumbnail_url_small, small?.url);
      assert.match(row.thumbnail_url_medium ?? "", /^https:\/\/cdn\.test\/.*\/medium\.jpg$/);
      assert.deepEqual((await keysUnder(`${safeFolder(object.key)}${transactionId}/`)).length, 3, "every size and format under the transaction's folder");
      for (const output of row.outputs) {
        const got = await s3.send(new GetObjectCommand({ Bucket: THUMBS, Key: output.key }));
        assert.equal(got.ContentType, output.format === "jpeg" ? "image/jpeg" : "image/webp");
        assert.equal(got.CacheControl, THUMBNAIL_CACHE_CONTROL);
        const bytes = Buffer.from(await (got.Body?.transformToByteArray() ?? new Uint8Array()));
        const meta = await sharp(bytes).metadata();
        assert.equal(meta.width, output.width);
        assert.equal(output.width, output.name === "small" ? 160 : 320);
      }
    }

    // Every line about an object carries its keys; the EMF documents carry the counts.
    const written = lines.filter((line) => line.message === "thumbnails written");
    assert.equal(written.length, 3);
    for (const line of written) {
      for (const field of ["bucket", "key", "transactionId", "correlationId", "messageId", "function_request_id"]) {
        assert.ok(typeof line[field] === "string" && line[field] !== "", `log line lacks ${field}: ${JSON.stringify(line)}`);
      }
      assert.equal(line.service, "thumbnails");
    }
    assert.deepEqual(written.map((line) => line.key).sort(), [...keys].sort());
    assert.equal(metricSum(lines, "ImagesProcessed", { service: "thumbnails" }), 3);
    assert.equal(metricSum(lines, "InputBytes"), 3 * image.length);
    assert.ok(metricSum(lines, "StageDuration", { stage: "download" }) >= 0);
    assert.ok(
      lines.some((line) => line.stage === "encode" && "StageDuration" in line),
      "StageDuration per stage",
    );
  });

  it("releases memory after each record, before the next one is read", async () => {
    const image = await photo();
    const objects = await Promise.all(["release/a.jpg", "release/b.jpg", "release/c.jpg"].map((key) => upload(key, image)));
    const order: string[] = [];
    const tracing: S3Client = Object.assign(Object.create(s3) as S3Client, {
      send: (command: { constructor: { name: string }; input?: { Key?: string } }, ...rest: unknown[]) => {
        if (command.constructor.name === "GetObjectCommand") order.push(`read ${command.input?.Key ?? "?"}`);
        return (s3.send as (...args: unknown[]) => unknown)(command, ...rest);
      },
    });
    const { failures } = await invoke(newHandler({ s3: tracing, releaseMemory: () => order.push("release") }), [s3Notification(objects)]);
    assert.deepEqual(failures, []);
    assert.deepEqual(order, ["read release/a.jpg", "release", "read release/b.jpg", "release", "read release/c.jpg", "release"]);
  });

  it("acknowledges s3:TestEvent and ObjectRemoved without touching anything", async () => {
    const testEvent = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: "2026-11-23T00:00:00Z", Bucket: RAW, RequestId: "r", HostId: "h" });
    const removed = s3Notification([{ bucket: RAW, key: "gone.jpg", sequencer: "01" }], "ObjectRemoved:Delete");
    const { failures, lines } = await invoke(newHandler(), [testEvent, removed]);
    assert.deepEqual(failures, []);
    assert.ok(lines.some((line) => line.message === "s3:TestEvent skipped" && line.messageId === "m1"));
    assert.ok(lines.some((line) => line.message === "not an ObjectCreated event; skipped" && line.messageId === "m2"));
  });

  it("acknowledges a malformed body with an error log and a metric, since no retry can fix it", async () => {
    const { failures, lines } = await invoke(newHandler(), ["this is not { json", JSON.stringify({ hello: "world" })]);
    assert.deepEqual(failures, []);
    const errors = lines.filter((line) => line.level === "ERROR" && String(line.message).startsWith("malformed message"));
    assert.deepEqual(
      errors.map((line) => line.messageId),
      ["m1", "m2"],
    );
    assert.match(String(errors[0].problem), /not JSON/);
    assert.equal(errors[0].body, "this is not { json");
    assert.equal(metricSum(lines, "ImagesFailed", { reason: "malformed-message" }), 2);
  });

  it("records a corrupt image as failed 'corrupt' and acknowledges it", async () => {
    const truncated = (await photo()).subarray(0, 2000);
    const object = await upload("bad/truncated.jpg", truncated, "corr-bad");
    const { failures, lines } = await invoke(newHandler(), [s3Notification([object])]);
    assert.deepEqual(failures, []);
    const row = await rowFor(await idOf(object));
    assert.equal(row?.status, "failed");
    assert.equal(row?.failure_reason, "corrupt");
    assert.ok(row?.failure_detail);
    assert.equal(row?.correlation_id, "corr-bad");
    assert.equal(metricSum(lines, "ImagesFailed", { reason: "corrupt" }), 1);
    assert.deepEqual(await keysUnder(`bad/${await idOf(object)}`), []);
  });

  it("records an object deleted before processing as failed 'object-gone'", async () => {
    const object = await upload("deleted/soon.jpg", await photo());
    await s3.send(new DeleteObjectCommand({ Bucket: RAW, Key: object.key }));
    const { failures } = await invoke(newHandler(), [s3Notification([object])]);
    assert.deepEqual(failures, []);
    const row = await rowFor(await idOf(object));
    assert.equal(row?.status, "failed");
    assert.equal(row?.failure_reason, "object-gone");
    assert.match(row?.failure_detail ?? "", /NotFound|NoSuchKey/);
  });

  it("reads exactly the announced version: VersionId when versioned, If-Match on the eTag when not", async () => {
    // s3rver ignores If-Match, so the proxy answers it as S3 does: 412 when the key now holds other bytes.
    const proxy = await startS3Proxy(aws.s3Endpoint);
    try {
      const first = await upload("overwritten/k.jpg", await photo(300, 200));
      const second = await upload("overwritten/k.jpg", await photo(500, 400));
      for (const method of ["HEAD", "GET"]) {
        proxy.inject({
          method,
          path: /overwritten\/k\.jpg/,
          status: 412,
          code: "PreconditionFailed",
          times: 10,
          when: (headers) => headers["if-match"] === `"${first.eTag}"`,
        });
      }
      const versioned = { ...second, key: "overwritten/k.jpg", versionId: "v-42", sequencer: "FF000000000000AA" };
      const handler = newHandler({ s3: new S3Client({ ...aws.s3Config, endpoint: proxy.endpoint }) });
      const { failures } = await invoke(handler, [s3Notification([first]), s3Notification([second]), s3Notification([versioned])]);
      assert.deepEqual(failures, []);

      const reads = proxy.requests.filter((r) => (r.method === "GET" || r.method === "HEAD") && r.path.endsWith("overwritten/k.jpg"));
      assert.deepEqual(
        reads.map((r) => [r.method, r.headers["if-match"], new URLSearchParams(r.query).get("versionId")]),
        [
          ["HEAD", `"${first.eTag}"`, null],
          ["HEAD", `"${second.eTag}"`, null],
          ["GET", `"${second.eTag}"`, null],
          ["GET", undefined, "v-42"],
        ],
      );
      const stale = await rowFor(await idOf(first));
      assert.equal(stale?.failure_reason, "object-gone");
      assert.match(stale?.failure_detail ?? "", /PreconditionFailed|HTTP 412/);
      const current = await rowFor(await idOf(second));
      assert.equal(current?.status, "ok");
      assert.equal(current?.input_width, 500);
    } finally {
      await proxy.stop();
    }
  });

  it("throws for a direct S3 event that failed transiently, so Lambda's async retry takes over", async () => {
    const proxy = await startS3Proxy(aws.s3Endpoint);
    try {
      const object = await upload("direct/throttled.jpg", await photo());
      proxy.inject({ method: "GET", path: /direct\/throttled\.jpg/, status: 503, code: "SlowDown", times: 2 });
      const handler = newHandler({ s3: new S3Client({ ...aws.s3Config, endpoint: proxy.endpoint, maxAttempts: 2 }) });
      await assert.rejects(
        captureOutput(() => handler(s3Records([object]), lambdaContext("direct-retry"))),
        { name: "RetryableInvocationError" },
      );
      assert.equal(await rowFor(await idOf(object)), undefined);
    } finally {
      await proxy.stop();
    }
  });

  it("refuses an event that is neither SQS nor S3: a wiring mistake", async () => {
    await assert.rejects(
      captureOutput(() => newHandler()({ detail: {} }, lambdaContext("odd"))),
      { name: "UnsupportedEventError" },
    );
  });

  it("processes a direct S3 event and returns what happened", async () => {
    const object = await upload("direct/one.jpg", await photo(320, 200));
    const { result } = await captureOutput(() => newHandler()(s3Records([object]), lambdaContext("direct")));
    assert.ok("results" in result);
    assert.equal(result.results[0].kind, "ok");
    assert.equal((await rowFor(await idOf(object)))?.status, "ok");
  });

  it("keys versioned uploads by version and unversioned ones by the object's ETag and Last-Modified", async () => {
    const image = await photo(200, 150);
    const first = await upload("versions/same.jpg", image);
    // A redelivery (or a reprocess event) carries another sequencer or none: still the same upload.
    const redelivered = { ...first, sequencer: "FFFF000000000001" };
    const { sequencer: _dropped, ...reprocessed } = first;
    const versioned = { ...first, versionId: "version-1", sequencer: "FFFF000000000002" };
    const versionedRedelivered = { ...versioned, sequencer: "FFFF000000000003" };
    const handler = newHandler();
    const { failures, lines } = await invoke(
      handler,
      [first, redelivered, reprocessed, versioned, versionedRedelivered].map((o) => s3Notification([o])),
    );
    assert.deepEqual(failures, []);
    assert.equal((await rowFor(idOf(first)))?.raw_version_id, null);
    assert.equal((await rowFor(idOf(versioned)))?.raw_version_id, "version-1");
    assert.equal(transactionIdFor(versioned), transactionIdFor(versionedRedelivered));
    const duplicates = lines.filter((line) => line.message === "duplicate operation");
    assert.equal(duplicates.length, 3, "the redelivery, the reprocess event and the versioned redelivery");
    assert.equal(duplicates[2].versionId, "version-1", "log lines of a versioned upload carry its version");

    // The same bytes uploaded again later: a new Last-Modified, so a new transaction and its own row.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const again = await upload("versions/same.jpg", image);
    assert.equal(again.eTag, first.eTag);
    await invoke(handler, [s3Notification([again])]);
    const rows = await rowsOfKey("versions/same.jpg");
    assert.equal(rows.filter((row) => row.raw_version_id === null).length, 2, "two uploads, two rows");
  });

  it("skips the render when the row exists, logging the duplicate", async () => {
    const proxy = await startS3Proxy(aws.s3Endpoint);
    try {
      const viaProxy = new S3Client({ ...aws.s3Config, endpoint: proxy.endpoint });
      const object = await upload("dupes/once.jpg", await photo());
      const handler = newHandler({ s3: viaProxy });
      await invoke(handler, [s3Notification([object])]);
      const getsBefore = proxy.requests.filter((r) => r.method === "GET" && r.path.includes("dupes/once.jpg")).length;
      const { failures, lines } = await invoke(handler, [s3Notification([object])]);
      assert.deepEqual(failures, []);
      const dup = lines.find((line) => line.message === "duplicate operation");
      assert.equal(dup?.detectedBy, "lookup");
      assert.equal(dup?.transactionId, await idOf(object));
      assert.equal(metricSum(lines, "DuplicateDeliveries"), 1);
      assert.equal(proxy.requests.filter((r) => r.method === "GET" && r.path.includes("dupes/once.jpg")).length, getsBefore, "no second download");
    } finally {
      await proxy.stop();
    }
  });

  it("refuses an object over the size cap as 'too-large' without downloading it", async () => {
    const proxy = await startS3Proxy(aws.s3Endpoint);
    try {
      const viaProxy = new S3Client({ ...aws.s3Config, endpoint: proxy.endpoint });
      const big = Buffer.alloc(8 * CAP, 7);
      const object = await upload("big/huge.jpg", big);
      delete object.size;
      const { failures } = await invoke(newHandler({ s3: viaProxy }), [s3Notification([object])]);
      assert.deepEqual(failures, []);
      const row = await rowFor(await idOf(object));
      assert.equal(row?.failure_reason, "too-large");
      assert.match(row?.failure_detail ?? "", /MAX_INPUT_BYTES/);
      const transferred = proxy.bytesFrom(/big\/huge\.jpg/);
      assert.ok(transferred < big.length / 2, `read ${transferred} of ${big.length} bytes before stopping`);
    } finally {
      await proxy.stop();
    }
  });

  it("hands S3 throttling and server errors back to SQS, then succeeds when S3 recovers", async () => {
    const proxy = await startS3Proxy(aws.s3Endpoint);
    try {
      // Two attempts per request: the SDK's own retry is spent before the message is handed back.
      const viaProxy = new S3Client({ ...aws.s3Config, endpoint: proxy.endpoint, maxAttempts: 2 });
      const slow = await upload("throttled/slow.jpg", await photo());
      const broken = await upload("throttled/broken.jpg", await photo());
      proxy.inject({ method: "GET", path: /throttled\/slow\.jpg/, status: 503, code: "SlowDown", times: 2 });
      proxy.inject({ method: "PUT", path: new RegExp(`${await idOf(broken)}/`), status: 500, code: "InternalError", times: 3 * 2 });
      const handler = newHandler({ s3: viaProxy });
      const bodies = [s3Notification([slow]), s3Notification([broken])];
      const first = await invoke(handler, bodies);
      assert.deepEqual(first.failures, ["m1", "m2"]);
      const transient = first.lines.filter((line) => line.message === "transient failure; the message goes back to the queue");
      assert.deepEqual(
        transient.map((line) => [line.stage, line.errorCode ?? line.errorName]),
        [
          ["download", "SlowDown"],
          ["upload", "InternalError"],
        ],
      );
      assert.equal(await rowFor(await idOf(slow)), undefined, "no row while the failure may still pass");
      const second = await invoke(handler, bodies);
      assert.deepEqual(second.failures, []);
      assert.equal((await rowFor(await idOf(slow)))?.status, "ok");
      assert.equal((await rowFor(await idOf(broken)))?.status, "ok");
    } finally {
      await proxy.stop();
    }
  });

  it("hands back the messages it has no time left for", async () => {
    const object = await upload("late/one.jpg", await photo());
    const handler = newHandler({ deadlineReserveMs: 120_000 });
    const { result } = await captureOutput(() => handler(sqsBatch([{ messageId: "m1", body: s3Notification([object]) }]), lambdaContext("late", 60_000)));
    assert.deepEqual((result as SQSBatchResponse).batchItemFailures, [{ itemIdentifier: "m1" }]);
    assert.equal(await rowFor(await idOf(object)), undefined);
  });

  it("runs as deployed, built from the environment (S3_ENDPOINT for the local S3)", async () => {
    const settings: Record<string, string> = {
      RAW_BUCKET: RAW,
      THUMBNAILS_BUCKET: THUMBS,
      THUMBNAILS_BASE_URL: "https://cdn.test",
      THUMBNAIL_FORMATS: "webp",
      DATABASE_URL: databaseUrl,
      S3_ENDPOINT: aws.s3Endpoint,
      S3_FORCE_PATH_STYLE: "true",
      AWS_REGION: aws.region,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      POWERTOOLS_SERVICE_NAME: "thumbnails",
    };
    const saved = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
    Object.assign(process.env, settings);
    try {
      const object = await upload("from-env/one.jpg", await photo());
      const { result } = await captureOutput(() => deployedHandler(sqsBatch([{ messageId: "e1", body: s3Notification([object]) }]), lambdaContext("env")));
      assert.deepEqual((result as SQSBatchResponse).batchItemFailures, []);
      const row = await rowFor(await idOf(object));
      assert.deepEqual(
        row?.outputs.map((output) => output.format),
        ["webp", "webp"],
      );
      assert.match(row?.thumbnail_url_small ?? "", /small\.webp$/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("turns 50 concurrent deliveries of one upload into one row, one set of thumbnails and 49 logged duplicates", async function () {
    this.timeout(120_000);
    const object = await upload("race/contended.jpg", await photo(), "corr-race");
    const body = s3Notification([object]);
    const handlers = Array.from({ length: 50 }, () => newHandler({ s3: new S3Client(aws.s3Config) }));
    const { result: outcomes, lines } = await captureOutput(() =>
      Promise.all(handlers.map((handler, i) => handler(sqsBatch([{ messageId: `race-${i}`, body }]), lambdaContext(`race-${i}`)))),
    );
    for (const outcome of outcomes) assert.deepEqual((outcome as SQSBatchResponse).batchItemFailures, []);
    const transactionId = await idOf(object);
    const database = createDatabaseClient({ settings: { source: "url", url: databaseUrl, tls: undefined } });
    try {
      const { rows } = await database.query<{ n: string }>("SELECT count(*) AS n FROM images WHERE raw_key = $1", [object.key]);
      assert.equal(rows[0].n, "1");
    } finally {
      await database.end();
    }
    assert.deepEqual(await keysUnder("race/"), [`race/${transactionId}/medium.jpg`, `race/${transactionId}/small.jpg`, `race/${transactionId}/small.webp`]);
    assert.equal(lines.filter((line) => line.message === "thumbnails written").length, 1);
    const duplicates = lines.filter((line) => line.message === "duplicate operation");
    assert.equal(duplicates.length, 49);
    assert.ok(duplicates.every((line) => line.transactionId === transactionId && line.key === object.key));
    assert.equal(metricSum(lines, "DuplicateDeliveries"), 49);
  });

  it("acts on its raw bucket only: another bucket's event is acknowledged without a row, the thumbnails bucket's is refused as a wiring error", async () => {
    const image = await photo(120, 90);
    const put = await s3.send(new PutObjectCommand({ Bucket: THUMBS, Key: "loop/t.jpg", Body: image }));
    const loop = { bucket: THUMBS, key: "loop/t.jpg", eTag: (put.ETag ?? "").replace(/"/g, ""), sequencer: "0A" };
    const foreign = { bucket: "someone-elses-bucket", key: "x/y.jpg", eTag: "abc", sequencer: "0B" };
    const { failures, lines } = await invoke(newHandler(), [s3Notification([foreign]), s3Notification([loop])]);
    assert.deepEqual(failures, ["m2"], "the loop is never acknowledged: it ends in the DLQ, whose alarm pages");
    assert.ok(
      lines.some((line) => line.level === "WARN" && line.messageId === "m1" && String(line.message).startsWith("event for a bucket other than the raw bucket")),
    );
    assert.ok(
      lines.some(
        (line) =>
          line.level === "ERROR" && line.messageId === "m2" && String(line.message).startsWith("wiring error: the thumbnails bucket notifies this function"),
      ),
    );
    assert.equal(metricSum(lines, "ImagesFailed", { reason: "foreign-bucket" }), 1);
    assert.equal(metricSum(lines, "ImagesFailed", { reason: "wiring-error" }), 1);
    assert.deepEqual(await rowsOfKey("x/y.jpg"), []);
    assert.deepEqual(await rowsOfKey("loop/t.jpg"), []);
    assert.deepEqual(
      (await keysUnder("loop/")).filter((k) => k !== "loop/t.jpg"),
      [],
      "no thumbnails of a thumbnail",
    );
    await assert.rejects(
      captureOutput(() => newHandler()(s3Records([loop]), lambdaContext("loop-direct"))),
      { name: "WiringError" },
    );
  });

  it("treats hostile keys as data: each ends ok or failed with a reason, its URLs point at its own thumbnails only", async () => {
    const image = await photo(200, 150);
    const keys = [
      "hostile/../../../escape.jpg",
      "hostile/./dot.jpg",
      "../up.jpg",
      `hostile/${"s".repeat(300)}.jpg`,
      "hostile/ctl\u0001\u001b[31m\u007f.jpg",
      `hostile/${"k".repeat(1024 - "hostile/".length - ".jpg".length)}.jpg`,
      // ("a//b" keys are valid in S3, but s3rver's router refuses them: the identity tests cover them.)
    ];
    assert.equal(Buffer.byteLength(keys[5]), 1024);
    const objects = await Promise.all(keys.map((key) => upload(key, image)));
    const { failures } = await invoke(
      newHandler(),
      objects.map((object) => s3Notification([object])),
    );
    assert.deepEqual(failures, []);
    for (const object of objects) {
      const transactionId = await idOf(object);
      const row = await rowFor(transactionId);
      assert.ok(row, `no row for ${JSON.stringify(object.key)}`);
      assert.equal(row.raw_key, object.key, "the row keeps the raw key verbatim");
      assert.ok(row.status === "ok" || row.failure_reason !== null);
      for (const output of row.outputs) {
        const url = new URL(output.url);
        assert.equal(url.href, output.url, `${output.url} changes when parsed`);
        assert.equal(url.origin, "https://cdn.test");
        assert.equal(decodeURIComponent(url.pathname.slice(1)), output.key);
        assert.ok(output.key.includes(`/${transactionId}/`) || output.key.startsWith(`${transactionId}/`), `${output.key} is not under its transaction`);
        assert.ok(![...output.url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), `${output.url} holds a control character`);
      }
    }
  });

  it("holds a transiently failed message back by the retry schedule, doubling with its receive count", async () => {
    const proxy = await startS3Proxy(aws.s3Endpoint);
    try {
      const object = await upload("backoff/one.jpg", await photo());
      proxy.inject({ method: "HEAD", path: /backoff\/one\.jpg/, status: 503, code: "SlowDown", times: 100 });
      const held: { receiptHandle: string; seconds: number }[][] = [];
      const database = createDatabaseClient({ settings: { source: "url", url: databaseUrl, tls: undefined } });
      databases.push(database);
      const handler = createThumbnailHandler({
        s3: new S3Client({ ...aws.s3Config, endpoint: proxy.endpoint, maxAttempts: 1 }),
        database,
        config,
        logger: createLogger({ serviceName: "thumbnails" }),
        metrics: new DimensionedMetrics({ namespace: "ThumbnailPipeline", serviceName: "thumbnails" }),
        retry: {
          baseSeconds: 30,
          hold: async (messages) => {
            held.push(messages);
            return [];
          },
        },
      });
      for (const receiveCount of [1, 2, 3, 9, 20]) {
        const event = sqsBatch([{ messageId: "b1", body: s3Notification([object]) }]);
        event.Records[0].attributes.ApproximateReceiveCount = String(receiveCount);
        await captureOutput(() => handler(event, lambdaContext(`backoff-${receiveCount}`)));
      }
      assert.deepEqual(
        held.map((batch) => batch.map((m) => [m.receiptHandle, m.seconds])),
        [[["rh-b1", 30]], [["rh-b1", 60]], [["rh-b1", 120]], [["rh-b1", 7680]], [["rh-b1", 43200]]],
      );
    } finally {
      await proxy.stop();
    }
  });
});
