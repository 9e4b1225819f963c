import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Logger } from "@aws-lambda-powertools/logger";
import sharp from "sharp";
import { canaryJpeg, CANARY_JPEG_SHA256, CANARY_JPEG_SIZE } from "../../../handlers/canary/canary-image";
import { runCanaryCheck, type CanaryDeps, type CanaryRow, type CanaryRowLookup } from "../../../handlers/canary/check";
import { readCanaryConfig } from "../../../handlers/canary/config";
import { databaseRowFinder, databaseRowRemover } from "../../../handlers/canary/row-store";
import { canaryTicket } from "../../../handlers/canary/ticket";
import { migrate } from "../../../handlers/migrate";
import { createDatabaseClient, type Database } from "../../../handlers/shared/db";
import { DimensionedMetrics } from "../../../handlers/shared/metrics";
import { createThumbnailHandler } from "../../../handlers/thumbnails";
import { thumbnailKey, transactionIdFor } from "../../../handlers/thumbnails/identity";
import { DEFAULT_SPECS } from "../../../handlers/thumbnails/image/config";
import { detectFormat } from "../../../handlers/thumbnails/image/detect-format";
import type { ThumbnailSpec } from "../../../handlers/thumbnails/image/types";
import { startLocalAws, type LocalAws, type LocalS3EventRecord } from "../../../local/local-aws";
import { freshDatabase } from "../../support/postgres";

const RAW = "canary-raw";
const THUMBS = "canary-thumbs";
const SPECS: ThumbnailSpec[] = [
  { name: "small", width: 160, format: "jpeg" },
  { name: "medium", width: 320, format: "jpeg" },
  { name: "small", width: 160, format: "webp" },
];

describe("canary", () => {
  it("embeds a small valid JPEG", async () => {
    const bytes = canaryJpeg();
    assert.equal(createHash("sha256").update(bytes).digest("hex"), CANARY_JPEG_SHA256);
    assert.equal(detectFormat(bytes), "jpeg");
    const meta = await sharp(bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ["jpeg", CANARY_JPEG_SIZE.width, CANARY_JPEG_SIZE.height]);
    const { info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width * info.height * info.channels, 48 * 32 * 3);
  });

  it("expects exactly the thumbnail function's sizes and formats", () => {
    const base = { PIPELINE_REGION: "eu-central-1", RAW_BUCKET: "r", THUMBNAILS_BUCKET: "t", TICKET_TOPIC_ARN: "arn:t" };
    const c = readCanaryConfig(base);
    assert.deepEqual(c.specs, DEFAULT_SPECS);
    assert.equal(c.prefix, "canary/");
    assert.equal(c.timeoutMs, 120_000);
    const configured = readCanaryConfig({ ...base, THUMBNAIL_SIZES: '[{"name":"small","width":160}]', THUMBNAIL_FORMATS: "webp,jpeg" });
    assert.deepEqual(configured.specs.map((s) => `${s.name}.${s.format}`).sort(), ["small.jpeg", "small.webp"]);
    assert.throws(() => readCanaryConfig({ ...base, CANARY_PREFIX: "canary" }), /CANARY_PREFIX is "canary"; expected a key prefix ending in "\/"/);
    assert.throws(() => readCanaryConfig({ ...base, RAW_BUCKET: undefined }), /RAW_BUCKET is not set/);
  });

  describe("against the local S3", () => {
    let aws: LocalAws;
    let s3: S3Client;
    const stops: (() => void)[] = [];

    before(async () => {
      aws = await startLocalAws({ region: "eu-central-1" });
      s3 = new S3Client(aws.s3Config);
      await s3.send(new CreateBucketCommand({ Bucket: RAW }));
      await s3.send(new CreateBucketCommand({ Bucket: THUMBS }));
    });
    afterEach(() => {
      for (const stop of stops.splice(0)) stop();
    });
    after(() => aws.stop());

    type FakeBehaviour = { rowStatus?: "ok" | "failed"; skipThumbnail?: number; wrongType?: boolean; noRow?: boolean };

    /**
     * A stand-in pipeline: on each canary upload it derives the transaction id
     * and thumbnail keys with the thumbnail function's own functions, writes
     * the thumbnails, then the row (in memory), as the real handler does.
     */
    function fakePipeline(behaviour: FakeBehaviour = {}) {
      const rows = new Map<string, CanaryRow>();
      const deleted: string[] = [];
      const work: Promise<void>[] = [];
      const off = aws.onObjectCreated((record: LocalS3EventRecord) => {
        if (record.s3.bucket.name !== RAW) return;
        work.push(
          (async () => {
            const key = record.s3.object.key;
            const head = await s3.send(new HeadObjectCommand({ Bucket: RAW, Key: key }));
            const transactionId = transactionIdFor({ bucket: RAW, key, eTag: record.s3.object.eTag ?? "", lastModified: head.LastModified });
            for (const [i, spec] of SPECS.entries()) {
              if (i === behaviour.skipThumbnail) continue;
              const type = behaviour.wrongType ? "application/octet-stream" : spec.format === "jpeg" ? "image/jpeg" : "image/webp";
              await s3.send(
                new PutObjectCommand({
                  Bucket: THUMBS,
                  Key: thumbnailKey(key, transactionId, spec.name, spec.format),
                  Body: Buffer.from("thumb"),
                  ContentType: type,
                }),
              );
            }
            if (behaviour.noRow) return;
            const status = behaviour.rowStatus ?? "ok";
            rows.set(key, {
              transactionId,
              status,
              failure: status === "failed" ? "corrupt: decoder gave up" : undefined,
              correlationId: head.Metadata?.["correlation-id"] ?? "",
            });
          })(),
        );
      });
      stops.push(off);
      return {
        rows,
        deleted,
        work,
        /** Stops answering uploads, so a later stand-in in the same test is the only writer of its keys. */
        stop: off,
        findRow: async (l: CanaryRowLookup) => rows.get(l.key),
        deleteRow: async (l: CanaryRowLookup) => {
          deleted.push(l.key);
          rows.delete(l.key);
        },
      };
    }

    function deps(pipeline: ReturnType<typeof fakePipeline>, over: Partial<CanaryDeps> = {}): CanaryDeps {
      return {
        s3,
        rawBucket: RAW,
        thumbnailsBucket: THUMBS,
        prefix: "canary/",
        timeoutMs: 3_000,
        specs: SPECS,
        region: "eu-central-1",
        findRow: pipeline.findRow,
        deleteRow: pipeline.deleteRow,
        ...over,
      };
    }

    async function keysIn(bucket: string): Promise<string[]> {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (out.Contents ?? []).map((o) => o.Key ?? "");
    }

    it("passes when the row and every thumbnail arrive, and leaves nothing behind", async () => {
      const pipeline = fakePipeline();
      const result = await runCanaryCheck(deps(pipeline));
      await Promise.all(pipeline.work);
      assert.equal(result.ok, true, result.lastError);
      assert.equal(result.failedStep, undefined);
      assert.ok(result.latencyMs !== undefined && result.latencyMs >= 0);
      assert.deepEqual(
        result.steps.map((s) => [s.step, s.ok]),
        [
          ["raw-put", true],
          ["raw-visible", true],
          ["row", true],
          ["thumbnails", true],
          ["cleanup", true],
        ],
      );
      assert.match(result.rawKey, /^canary\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}\/canary\.jpg$/);
      assert.equal(result.thumbnailKeys.length, SPECS.length);
      assert.equal(pipeline.rows.size, 0);
      assert.deepEqual(pipeline.deleted, [result.rawKey]);
      assert.deepEqual(await keysIn(RAW), []);
      assert.deepEqual(await keysIn(THUMBS), []);
      assert.equal(canaryTicket(result), undefined);
    });

    it("uploads the known image with its correlation id", async () => {
      const pipeline = fakePipeline();
      let seen: { body: string; correlation: string | undefined } | undefined;
      const result = await runCanaryCheck(
        deps(pipeline, {
          findRow: async (l) => {
            const got = await s3.send(new GetObjectCommand({ Bucket: RAW, Key: l.key }));
            seen ??= {
              body: createHash("sha256")
                .update(await got.Body!.transformToByteArray())
                .digest("hex"),
              correlation: got.Metadata?.["correlation-id"],
            };
            return pipeline.findRow(l);
          },
        }),
      );
      assert.equal(result.ok, true, result.lastError);
      assert.deepEqual(seen, { body: CANARY_JPEG_SHA256, correlation: result.correlationId });
    });

    it("fails at raw-put when the raw bucket is not there", async () => {
      const pipeline = fakePipeline();
      const result = await runCanaryCheck(deps(pipeline, { rawBucket: "no-such-bucket" }));
      assert.equal(result.failedStep, "raw-put");
      assert.match(result.lastError ?? "", /NoSuchBucket/);
      assertTicket(result, "raw-put");
    });

    it("fails at raw-visible when the object cannot be read back", async () => {
      const pipeline = fakePipeline();
      const denying = new S3Client(aws.s3Config);
      denying.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === "HeadObjectCommand")
            throw Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
          return next(args);
        },
        { step: "initialize", name: "denyHead" },
      );
      const result = await runCanaryCheck(deps(pipeline, { s3: denying, timeoutMs: 500 }));
      assert.equal(result.failedStep, "raw-visible");
      assert.match(result.lastError ?? "", /did not appear within .*AccessDenied: Access Denied/);
      assertTicket(result, "raw-visible");
    });

    it("fails at row when no row arrives in time, naming the wait", async () => {
      const pipeline = fakePipeline({ noRow: true });
      const result = await runCanaryCheck(deps(pipeline, { timeoutMs: 1_000 }));
      await Promise.all(pipeline.work);
      assert.equal(result.failedStep, "row");
      assert.match(result.lastError ?? "", /the images row for canary\/.* did not appear within 1 s/);
      const ticket = assertTicket(result, "row");
      assert.match(ticket.description, /Timings per step:\n {2}raw-put: \d+ ms ok\n {2}raw-visible: \d+ ms ok\n {2}row: \d+ ms FAILED/);
      // Cleanup still removed the upload and the thumbnails the pipeline left, found by the run's folder.
      assert.deepEqual(await keysIn(RAW), []);
      assert.deepEqual(await keysIn(THUMBS), []);
    });

    it("fails at row at once when the pipeline recorded a failure", async () => {
      const pipeline = fakePipeline({ rowStatus: "failed" });
      const result = await runCanaryCheck(deps(pipeline, { timeoutMs: 30_000 }));
      assert.equal(result.failedStep, "row");
      assert.match(result.lastError ?? "", /pipeline recorded a failure: corrupt: decoder gave up/);
      assert.ok((result.steps.find((s) => s.step === "row")?.ms ?? Infinity) < 30_000);
      assertTicket(result, "row");
    });

    it("fails at thumbnails when one is missing or has the wrong type, naming it", async () => {
      const skipping = fakePipeline({ skipThumbnail: 2 });
      const missing = await runCanaryCheck(deps(skipping, { timeoutMs: 800 }));
      assert.equal(missing.failedStep, "thumbnails");
      assert.match(missing.lastError ?? "", /missing: canary\/.*\/small\.webp$/);
      assertTicket(missing, "thumbnails");
      // Otherwise both stand-ins would write the next upload's thumbnails at once, racing on the same keys.
      skipping.stop();
      await Promise.all(skipping.work);

      const wrong = await runCanaryCheck(deps(fakePipeline({ wrongType: true })));
      assert.equal(wrong.failedStep, "thumbnails");
      assert.match(wrong.lastError ?? "", /Content-Type application\/octet-stream, expected image\/(jpeg|webp)/);
    });

    it("reports a cleanup failure as its own ticket while the pipeline check passes", async () => {
      const pipeline = fakePipeline();
      const result = await runCanaryCheck(
        deps(pipeline, {
          deleteRow: async () => {
            throw new Error("permission denied for table images");
          },
        }),
      );
      assert.equal(result.ok, true);
      assert.equal(result.cleanup.ok, false);
      assert.match(result.cleanup.errors.join(), /permission denied/);
      assertTicket(result, "cleanup");
    });

    it("finds the row the real thumbnail handler writes in PostgreSQL, and removes it", async function () {
      this.timeout(60_000);
      const url = await freshDatabase("canary");
      await migrate(url);
      const database: Database = createDatabaseClient({ settings: { source: "url", url, tls: undefined } });
      const previous = process.env.POWERTOOLS_METRICS_DISABLED;
      process.env.POWERTOOLS_METRICS_DISABLED = "true";
      try {
        const handler = createThumbnailHandler({
          s3,
          database,
          config: {
            rawBucket: RAW,
            thumbnailsBucket: THUMBS,
            thumbnailsBaseUrl: "https://thumbs.example.com",
            specs: SPECS,
            limits: { maxInputBytes: 1 << 20, maxInputPixels: 1_000_000 },
          },
          logger: new Logger({ serviceName: "thumbnails", logLevel: "SILENT" }),
          metrics: new DimensionedMetrics({ namespace: "ThumbnailPipeline", serviceName: "thumbnails" }),
        });
        const invocations: Promise<unknown>[] = [];
        let sequence = 0;
        const off = aws.onObjectCreated((record) => {
          if (record.s3.bucket.name !== RAW) return;
          sequence += 1;
          // A direct S3 event, as S3 would deliver it (the key needs no encoding here).
          const event = {
            Records: [
              {
                eventVersion: "2.1",
                eventSource: "aws:s3",
                awsRegion: "eu-central-1",
                eventTime: record.eventTime,
                eventName: record.eventName,
                s3: {
                  s3SchemaVersion: "1.0",
                  bucket: { name: RAW, arn: `arn:aws:s3:::${RAW}` },
                  object: {
                    key: record.s3.object.key,
                    size: record.s3.object.size,
                    eTag: record.s3.object.eTag,
                    sequencer: sequence.toString(16).toUpperCase().padStart(16, "0"),
                  },
                },
              },
            ],
          };
          invocations.push(handler(event));
        });
        stops.push(off);
        const result = await runCanaryCheck({
          s3,
          rawBucket: RAW,
          thumbnailsBucket: THUMBS,
          prefix: "canary/",
          timeoutMs: 20_000,
          specs: SPECS,
          region: "eu-central-1",
          findRow: databaseRowFinder(database),
          deleteRow: databaseRowRemover(database, "canary/"),
        });
        await Promise.allSettled(invocations);
        assert.equal(result.ok, true, `${result.failedStep}: ${result.lastError}`);
        assert.equal(result.cleanup.ok, true, result.cleanup.errors.join("; "));
        const { rows } = await database.query("SELECT 1 FROM images");
        assert.equal(rows.length, 0);
        const runFolder = result.rawKey.slice(0, result.rawKey.lastIndexOf("/") + 1);
        assert.deepEqual(
          (await keysIn(THUMBS)).filter((k) => k.startsWith(runFolder)),
          [],
        );
        await assert.rejects(
          databaseRowRemover(database, "canary/")({ bucket: RAW, key: "users/photo.jpg", correlationId: "x" }),
          /not under the canary prefix/,
        );
      } finally {
        if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
        else process.env.POWERTOOLS_METRICS_DISABLED = previous;
        await database.end();
      }
    });
  });
});

function assertTicket(result: Awaited<ReturnType<typeof runCanaryCheck>>, step: string) {
  const ticket = canaryTicket(result);
  assert.ok(ticket, "a failed run asks for a ticket");
  assert.equal(ticket.dedupeKey, `canary:eu-central-1:${step}`);
  assert.equal(ticket.source, "canary");
  assert.match(ticket.summary, new RegExp(`step ${step} in eu-central-1`));
  assert.match(ticket.description, new RegExp(`Raw object: s3://[^/]+/${result.rawKey.replace(/[.]/g, "\\.")}`));
  assert.equal(ticket.details.step, step);
  return ticket;
}
