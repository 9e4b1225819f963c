// The thumbnail handler end to end against real parts: PostgreSQL, the
// in-process S3 (s3rver), real sharp. Events are built as S3 and SQS build them.
import { strict as assert } from "node:assert";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { SQSBatchResponse } from "aws-lambda";
import sharp from "sharp";
import { migrate } from "../../handlers/migrate";
import { createDatabase, type Database } from "../../handlers/shared/db";
import { createLogger } from "../../handlers/shared/logger";
import { DimensionedMetrics } from "../../handlers/shared/metrics";
import {
  createThumbnailHandler,
  handler as deployedHandler,
  THUMBNAIL_CACHE_CONTROL,
  transactionIdFor,
  type ThumbnailHandler,
  type ThumbnailHandlerConfig,
} from "../../handlers/thumbnails";
import { startLocalAws, type LocalAws } from "../../tools/local/local-aws";
import { freshDatabase } from "../support/postgres";
import { captureOutput, lambdaContext, metricSum, s3Notification, s3Records, sqsBatch, type NotifiedObject } from "./fixtures";
import { startS3Proxy } from "./s3-proxy";

const RAW = "raw";
const THUMBS = "thumbs";
const CAP = 1024 * 1024;

const config: ThumbnailHandlerConfig = {
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
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
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
  function newHandler(options: { s3?: S3Client; url?: string; deadlineReserveMs?: number } = {}): ThumbnailHandler {
    const database = createDatabase({ settings: { source: "url", url: options.url ?? databaseUrl, tls: undefined } });
    databases.push(database);
    return createThumbnailHandler({
      s3: options.s3 ?? s3,
      database,
      config,
      logger: createLogger({ serviceName: "thumbnails" }),
      metrics: new DimensionedMetrics({ namespace: "ThumbnailPipeline", serviceName: "thumbnails" }),
      ...(options.deadlineReserveMs !== undefined ? { deadlineReserveMs: options.deadlineReserveMs } : {}),
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

  async function rowFor(transactionId: string): Promise<ImageRowView | undefined> {
    const database = createDatabase({ settings: { source: "url", url: databaseUrl, tls: undefined } });
    try {
      const { rows } = await database.query<ImageRowView>("SELECT * FROM images WHERE transaction_id = $1", [transactionId]);
      return rows[0];
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
    const { failures, lines } = await invoke(newHandler(), objects.map((object) => s3Notification([object])));
    assert.deepEqual(failures, []);

    for (const [i, object] of objects.entries()) {
      const transactionId = transactionIdFor(object);
      const row = await rowFor(transactionId);
      assert.ok(row, `no row for ${object.key}`);
      assert.equal(row.status, "ok");
      assert.equal(row.raw_key, object.key);
      assert.equal(row.original_url, `s3://${RAW}/${object.key}`);
      assert.equal(row.correlation_id, `corr-${i}`);
      assert.equal(row.input_format, "jpeg");
      assert.equal(row.input_width, 640);
      assert.equal(Number(row.input_bytes), image.length);
      assert.equal(row.outputs.length, 3);
      assert.equal(Number(row.output_bytes), row.outputs.reduce((sum, output) => sum + output.bytes, 0));
      for (const stage of ["lookup", "download", "decode", "resize", "encode", "upload"]) {
        assert.equal(typeof row.stage_timings[stage], "number", `stage_timings.${stage}`);
      }
      const small = row.outputs.find((output) => output.name === "small" && output.format === "jpeg");
      assert.equal(row.thumbnail_url_small, small?.url);
      assert.match(row.thumbnail_url_medium ?? "", /^https:\/\/cdn\.test\/.*\/medium\.jpg$/);
      assert.deepEqual(
        (await keysUnder(`${object.key.slice(0, object.key.lastIndexOf("/") + 1)}${transactionId}/`)).length,
        3,
        "every size and format under the transaction's folder",
      );
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
    assert.ok(lines.some((line) => line.stage === "encode" && "StageDuration" in line), "StageDuration per stage");
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
    assert.deepEqual(errors.map((line) => line.messageId), ["m1", "m2"]);
    assert.match(String(errors[0].problem), /not JSON/);
    assert.equal(errors[0].body, "this is not { json");
    assert.equal(metricSum(lines, "ImagesFailed", { reason: "malformed-message" }), 2);
  });

  it("records a corrupt image as failed 'corrupt' and acknowledges it", async () => {
    const truncated = (await photo()).subarray(0, 2000);
    const object = await upload("bad/truncated.jpg", truncated, "corr-bad");
    const { failures, lines } = await invoke(newHandler(), [s3Notification([object])]);
    assert.deepEqual(failures, []);
    const row = await rowFor(transactionIdFor(object));
    assert.equal(row?.status, "failed");
    assert.equal(row?.failure_reason, "corrupt");
    assert.ok(row?.failure_detail);
    assert.equal(row?.correlation_id, "corr-bad");
    assert.equal(metricSum(lines, "ImagesFailed", { reason: "corrupt" }), 1);
    assert.deepEqual(await keysUnder(`bad/${transactionIdFor(object)}`), []);
  });

  it("records an object deleted before processing as failed 'object-gone'", async () => {
    const object = await upload("deleted/soon.jpg", await photo());
    await s3.send(new DeleteObjectCommand({ Bucket: RAW, Key: object.key }));
    const { failures } = await invoke(newHandler(), [s3Notification([object])]);
    assert.deepEqual(failures, []);
    const row = await rowFor(transactionIdFor(object));
    assert.equal(row?.status, "failed");
    assert.equal(row?.failure_reason, "object-gone");
    assert.match(row?.failure_detail ?? "", /NoSuchKey/);
  });

  it("reads exactly the announced version: VersionId when versioned, If-Match on the eTag when not", async () => {
    // s3rver ignores If-Match, so the proxy answers it as S3 does: 412 when the key now holds other bytes.
    const proxy = await startS3Proxy(aws.s3Endpoint);
    try {
      const first = await upload("overwritten/k.jpg", await photo(300, 200));
      const second = await upload("overwritten/k.jpg", await photo(500, 400));
      proxy.inject({
        method: "GET",
        path: /overwritten\/k\.jpg/,
        status: 412,
        code: "PreconditionFailed",
        times: 10,
        when: (headers) => headers["if-match"] === `"${first.eTag}"`,
      });
      const versioned = { ...second, key: "overwritten/k.jpg", versionId: "v-42", sequencer: "FF000000000000AA" };
      const handler = newHandler({ s3: new S3Client({ ...aws.s3Config, endpoint: proxy.endpoint }) });
      const { failures } = await invoke(handler, [s3Notification([first]), s3Notification([second]), s3Notification([versioned])]);
      assert.deepEqual(failures, []);

      const gets = proxy.requests.filter((r) => r.method === "GET" && r.path.endsWith("overwritten/k.jpg"));
      assert.deepEqual(
        gets.map((r) => [r.headers["if-match"], new URLSearchParams(r.query).get("versionId")]),
        [
          [`"${first.eTag}"`, null],
          [`"${second.eTag}"`, null],
          [undefined, "v-42"],
        ],
      );
      const stale = await rowFor(transactionIdFor(first));
      assert.equal(stale?.failure_reason, "object-gone");
      assert.match(stale?.failure_detail ?? "", /PreconditionFailed/);
      const current = await rowFor(transactionIdFor(second));
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
      await assert.rejects(captureOutput(() => handler(s3Records([object]), lambdaContext("direct-retry"))), { name: "RetryableInvocationError" });
      assert.equal(await rowFor(transactionIdFor(object)), undefined);
    } finally {
      await proxy.stop();
    }
  });

  it("refuses an event that is neither SQS nor S3: a wiring mistake", async () => {
    await assert.rejects(captureOutput(() => newHandler()({ detail: {} }, lambdaContext("odd"))), { name: "UnsupportedEventError" });
  });

  it("processes a direct S3 event and returns what happened", async () => {
    const object = await upload("direct/one.jpg", await photo(320, 200));
    const { result } = await captureOutput(() => newHandler()(s3Records([object]), lambdaContext("direct")));
    assert.ok("results" in result);
    assert.equal(result.results[0].kind, "ok");
    assert.equal((await rowFor(transactionIdFor(object)))?.status, "ok");
  });

  it("keys versioned uploads by version and unversioned ones by eTag + sequencer", async () => {
    const image = await photo(200, 150);
    const first = await upload("versions/same.jpg", image);
    const again = { ...first, sequencer: "FFFF000000000001" };
    const versioned = { ...first, versionId: "version-1", sequencer: "FFFF000000000002" };
    const versionedRedelivered = { ...versioned, sequencer: "FFFF000000000003" };
    const handler = newHandler();
    const { failures, lines } = await invoke(handler, [first, again, versioned, versionedRedelivered].map((o) => s3Notification([o])));
    assert.deepEqual(failures, []);
    assert.equal((await rowFor(transactionIdFor(first)))?.raw_version_id, null);
    assert.equal((await rowFor(transactionIdFor(again)))?.status, "ok", "a new sequencer is a new upload of the same key");
    assert.equal((await rowFor(transactionIdFor(versioned)))?.raw_version_id, "version-1");
    assert.equal(transactionIdFor(versioned), transactionIdFor(versionedRedelivered));
    const duplicates = lines.filter((line) => line.message === "duplicate operation");
    assert.equal(duplicates.length, 1);
    assert.equal(duplicates[0].versionId, "version-1", "log lines of a versioned upload carry its version");
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
      assert.equal(dup?.transactionId, transactionIdFor(object));
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
      const row = await rowFor(transactionIdFor(object));
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
      proxy.inject({ method: "PUT", path: new RegExp(`${transactionIdFor(broken)}/`), status: 500, code: "InternalError", times: 3 * 2 });
      const handler = newHandler({ s3: viaProxy });
      const bodies = [s3Notification([slow]), s3Notification([broken])];
      const first = await invoke(handler, bodies);
      assert.deepEqual(first.failures, ["m1", "m2"]);
      const transient = first.lines.filter((line) => line.message === "transient failure; the message goes back to the queue");
      assert.deepEqual(transient.map((line) => [line.stage, line.errorCode ?? line.errorName]), [
        ["download", "SlowDown"],
        ["upload", "InternalError"],
      ]);
      assert.equal(await rowFor(transactionIdFor(slow)), undefined, "no row while the failure may still pass");
      const second = await invoke(handler, bodies);
      assert.deepEqual(second.failures, []);
      assert.equal((await rowFor(transactionIdFor(slow)))?.status, "ok");
      assert.equal((await rowFor(transactionIdFor(broken)))?.status, "ok");
    } finally {
      await proxy.stop();
    }
  });

  it("hands back the messages it has no time left for", async () => {
    const object = await upload("late/one.jpg", await photo());
    const handler = newHandler({ deadlineReserveMs: 120_000 });
    const { result } = await captureOutput(() => handler(sqsBatch([{ messageId: "m1", body: s3Notification([object]) }]), lambdaContext("late", 60_000)));
    assert.deepEqual((result as SQSBatchResponse).batchItemFailures, [{ itemIdentifier: "m1" }]);
    assert.equal(await rowFor(transactionIdFor(object)), undefined);
  });

  it("runs as deployed, built from the environment (S3_ENDPOINT for the local S3)", async () => {
    const settings: Record<string, string> = {
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
      const row = await rowFor(transactionIdFor(object));
      assert.deepEqual(row?.outputs.map((output) => output.format), ["webp", "webp"]);
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
    const transactionId = transactionIdFor(object);
    const database = createDatabase({ settings: { source: "url", url: databaseUrl, tls: undefined } });
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
});
