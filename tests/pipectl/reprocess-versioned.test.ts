// Reprocess in a versioned bucket (S3 faked to its documented answers; the
// local S3 has no versioning): each event carries the object's current
// VersionId, so the transaction id the run expects is the one the handler
// derives from that event, and the one S3's own notification gave.
import { strict as assert } from "node:assert";
import { GetBucketVersioningCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { Client } from "pg";
import { parseMessageBody } from "../../handlers/thumbnails/events";
import { transactionIdFor } from "../../handlers/thumbnails/identity";
import { createProgress } from "../../pipectl/batch/progress";
import { runReprocess } from "../../pipectl/batch/reprocess";
import { rowsForKeys } from "../../handlers/shared/images-table";
import type { LocalPipeline } from "../../local/pipeline";
import { testPipeline, withStore } from "../support/local-pipeline";

describe("pipectl reprocess in a versioned bucket", function () {
  this.timeout(60_000);
  let pipeline: LocalPipeline;
  let db: Client;

  before(async () => {
    pipeline = await testPipeline("reprocess_versioned", { notifications: false });
    db = new Client({ connectionString: pipeline.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await pipeline?.stop();
  });

  it("sends the current version and expects the handler's id for it; a version with its row is skipped", async () => {
    const s3 = new S3Client({ region: "eu-central-1" });
    const fake = mockClient(s3);
    const lastModified = new Date("2026-11-30T12:00:00Z");
    fake.on(GetBucketVersioningCommand).resolves({ Status: "Enabled" });
    fake.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: "v/a.jpg", ETag: '"ea"', Size: 10, LastModified: lastModified },
        { Key: "v/b.jpg", ETag: '"eb"', Size: 20, LastModified: lastModified },
      ],
      IsTruncated: false,
    });
    fake.on(HeadObjectCommand, { Key: "v/a.jpg" }).resolves({ VersionId: "va-2", ETag: '"ea"', ContentLength: 10, LastModified: lastModified });
    fake.on(HeadObjectCommand, { Key: "v/b.jpg" }).resolves({ VersionId: "vb-7", ETag: '"eb"', ContentLength: 20, LastModified: lastModified });
    const { QueueUrl } = await pipeline.sqs.send(new CreateQueueCommand({ QueueName: "versioned-reprocess" }));
    const queueUrl = QueueUrl ?? "";

    // v/b.jpg's current version already has its row.
    const done = transactionIdFor({ bucket: "raw-v", key: "v/b.jpg", versionId: "vb-7" });
    await db.query(
      "INSERT INTO images (transaction_id, status, correlation_id, original_url, raw_bucket, raw_key, raw_version_id) VALUES ($1, 'ok', 'c', 's3://raw-v/v/b.jpg', 'raw-v', 'v/b.jpg', 'vb-7')",
      [done],
    );
    const outcome = await withStore(pipeline, (store) =>
      runReprocess(
        { bucket: "raw-v", queueUrl, region: "eu-central-1", prefix: "v/" },
        { s3, sqs: pipeline.sqs, store, progress: createProgress("test", "silent"), lookupRows: (bucket, keys) => rowsForKeys(db, bucket, keys) },
      ),
    );
    assert.equal(outcome.enqueuedThisRun, 1);
    assert.equal(outcome.alreadyProcessedThisRun, 1);

    const { Messages } = await pipeline.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
    assert.equal(Messages?.length, 1);
    const body = parseMessageBody(Messages?.[0]?.Body ?? "");
    assert.equal(body.kind, "objects");
    const announced = body.kind === "objects" ? body.objects[0] : undefined;
    assert.equal(announced?.versionId, "va-2");
    // What S3's own notification of that version would give, and what the handler derives from this event.
    const expected = transactionIdFor({ bucket: "raw-v", key: "v/a.jpg", versionId: "va-2" });
    assert.equal(transactionIdFor(announced!), expected);
    const { rows } = await db.query<{ key: string; outcome: string; transaction_id: string }>(
      "SELECT key, outcome, transaction_id FROM batch_run_items WHERE run_id = $1 ORDER BY key",
      [outcome.run.id],
    );
    assert.deepEqual(rows, [
      { key: "v/a.jpg", outcome: "enqueued", transaction_id: expected },
      { key: "v/b.jpg", outcome: "already-processed", transaction_id: done },
    ]);
  });
});
