// The database goes away in the middle of a batch and comes back: the
// messages it could not finish go back to SQS, and the same handler (same
// container, same pool) succeeds once the server is up again.
import { strict as assert } from "node:assert";
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { SQSBatchResponse } from "aws-lambda";
import sharp from "sharp";
import { migrate } from "../../../handlers/migrate";
import { createDatabaseClient } from "../../../handlers/shared/db";
import { createLogger } from "../../../handlers/shared/logger";
import { DimensionedMetrics } from "../../../handlers/shared/metrics";
import { createThumbnailHandler, transactionIdFor } from "../../../handlers/thumbnails";
import { startLocalAws, type LocalAws } from "../../../local/local-aws";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../support/postgres";
import { captureOutput, lambdaContext, s3Notification, sqsBatch, type NotifiedObject } from "./support/events";

describe("thumbnail handler when the database restarts", function () {
  this.timeout(120_000);
  let aws: LocalAws;
  let server: EmbeddedPostgres;

  before(async () => {
    [aws, server] = await Promise.all([startLocalAws(), startEmbeddedPostgres()]);
    await migrate(server.adminUrl);
  });

  after(async () => {
    await server?.stop();
    await aws?.stop();
  });

  it("fails the messages it cannot finish, then succeeds with the same pool after the restart", async () => {
    const s3 = new S3Client(aws.s3Config);
    await s3.send(new CreateBucketCommand({ Bucket: "raw" }));
    await s3.send(new CreateBucketCommand({ Bucket: "thumbs" }));
    const image = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 10, g: 120, b: 200 } } })
      .jpeg()
      .toBuffer();
    const objects: NotifiedObject[] = [];
    for (const key of ["outage/first.jpg", "outage/stop-here.jpg", "outage/third.jpg"]) {
      const put = await s3.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: image }));
      objects.push({ bucket: "raw", key, eTag: (put.ETag ?? "").replace(/"/g, ""), sequencer: "00000000000000A1" });
    }

    // Stops the server while the second object is being downloaded: its
    // lookup succeeded, its row write will not.
    const handlerS3 = new S3Client(aws.s3Config);
    let stopped = false;
    handlerS3.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key;
        if (context.commandName === "GetObjectCommand" && key === "outage/stop-here.jpg" && !stopped) {
          stopped = true;
          await server.takeDown();
        }
        return next(args);
      },
      { step: "initialize", name: "stopDatabaseMidBatch" },
    );

    const poolErrors: Error[] = [];
    const database = createDatabaseClient({
      settings: { source: "url", url: server.adminUrl, tls: undefined },
      connectionTimeoutMillis: 2_000,
      onPoolError: (error) => poolErrors.push(error),
    });
    const handler = createThumbnailHandler({
      s3: handlerS3,
      database,
      config: {
        rawBucket: "raw",
        thumbnailsBucket: "thumbs",
        thumbnailsBaseUrl: "https://cdn.test",
        specs: [{ name: "small", width: 160, format: "jpeg" }],
        limits: { maxInputBytes: 10_000_000, maxInputPixels: 40_000_000 },
      },
      logger: createLogger({ serviceName: "thumbnails" }),
      metrics: new DimensionedMetrics({ namespace: "ThumbnailPipeline", serviceName: "thumbnails" }),
    });
    const batch = sqsBatch(objects.map((object, i) => ({ messageId: `m${i + 1}`, body: s3Notification([object]) })));

    try {
      const down = await captureOutput(() => handler(batch, lambdaContext("during-outage")));
      assert.deepEqual((down.result as SQSBatchResponse).batchItemFailures, [{ itemIdentifier: "m2" }, { itemIdentifier: "m3" }]);
      const failure = down.lines.find((line) => line.message === "transient failure; the message goes back to the queue");
      assert.equal(failure?.stage, "write");
      assert.equal(failure?.databaseUnavailable, true);
      assert.ok(down.lines.some((line) => line.messageId === "m3" && String(line.message).startsWith("not attempted: the database was unreachable")));

      await server.bringUp();
      const up = await captureOutput(() => handler(batch, lambdaContext("after-restart")));
      assert.deepEqual((up.result as SQSBatchResponse).batchItemFailures, []);
      assert.equal(up.lines.filter((line) => line.message === "thumbnails written").length, 2);
      assert.equal(up.lines.filter((line) => line.message === "duplicate operation" && line.messageId === "m1").length, 1);

      const { rows } = await database.query<{ transaction_id: string; status: string }>("SELECT transaction_id, status FROM images ORDER BY raw_key");
      const ids = await Promise.all(
        objects.map(async (object) =>
          transactionIdFor({ ...object, lastModified: (await s3.send(new HeadObjectCommand({ Bucket: "raw", Key: object.key }))).LastModified }),
        ),
      );
      assert.deepEqual(rows.map((row) => row.transaction_id).sort(), ids.sort());
      assert.ok(rows.every((row) => row.status === "ok"));
      assert.ok(poolErrors.length >= 1, "the dropped idle connection was reported, not thrown");
    } finally {
      await database.end();
    }
  });
});
