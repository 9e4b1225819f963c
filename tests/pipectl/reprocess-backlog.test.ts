// The bar of issue 14: 300 uploads with notifications on, still queued (and
// some in flight) when `pipectl reprocess` runs over the same prefix, end as
// 300 rows and 300 thumbnail sets, and the run's report says so, counting
// every row of the objects it touched.
import { strict as assert } from "node:assert";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { Client } from "pg";
import { createProgress } from "../../pipectl/batch/progress";
import { buildRunReport } from "../../pipectl/batch/report";
import { runReprocess } from "../../pipectl/batch/reprocess";
import { rowsForKeys } from "../../handlers/shared/images-table";
import type { LocalPipeline } from "../../local/pipeline";
import type { SqsBatchHandler } from "../../local/sqs-event";
import { testPipeline, tinyJpeg, waitUntil, withStore } from "../support/local-pipeline";

const UPLOADS = 300;

describe("reprocess during a backlog", function () {
  this.timeout(240_000);
  let pipeline: LocalPipeline;
  let db: Client;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = 0;

  before(async () => {
    // Every invocation waits at the gate: the uploads' own notifications stay queued or in flight.
    const hold =
      (handler: SqsBatchHandler): SqsBatchHandler =>
      async (event, context) => {
        held++;
        await gate;
        return handler(event, context);
      };
    pipeline = await testPipeline("backlog", { handlerHost: "in-process", wrapHandler: hold, functionTimeoutSeconds: 60 });
    db = new Client({ connectionString: pipeline.databaseUrl });
    await db.connect();
  });
  after(async () => {
    release();
    await db?.end();
    await pipeline?.stop();
  });

  it("gives 300 rows and 300 thumbnail sets, and the report agrees", async () => {
    const keys = Array.from({ length: UPLOADS }, (_, i) => `backlog/photo-${String(i).padStart(3, "0")}.jpg`);
    const image = await tinyJpeg(7);
    for (let i = 0; i < keys.length; i += 20) {
      await Promise.all(keys.slice(i, i + 20).map((key) => pipeline.upload({ key, body: image })));
    }
    await waitUntil("the first batches to be in flight", () => held > 0);

    const run = await withStore(pipeline, (store) =>
      runReprocess(
        { bucket: pipeline.buckets.raw, queueUrl: pipeline.queue.url, region: pipeline.region, prefix: "backlog/" },
        { s3: pipeline.s3, sqs: pipeline.sqs, store, progress: createProgress("test", "silent"), lookupRows: (bucket, k) => rowsForKeys(db, bucket, k) },
      ),
    );
    assert.equal(run.status, "completed");
    assert.equal(run.enqueuedThisRun, UPLOADS, "nothing had a row yet: every object was sent while its own notification waited");
    release();

    const waited = await pipeline.waitForRows(keys, { timeoutMs: 180_000 });
    assert.deepEqual(waited.missing, []);
    assert.deepEqual(waited.inDlq, []);
    // Both messages of every object have been handled once the queue is empty.
    await waitUntil("the queue to drain", async () => (pipeline.aws.peekQueue(pipeline.queue.name) ?? []).length === 0, 120_000);

    const { rows } = await db.query<{ n: string; keys: string }>(
      "SELECT count(*) AS n, count(DISTINCT raw_key) AS keys FROM images WHERE raw_key LIKE 'backlog/%'",
    );
    assert.equal(Number(rows[0].n), UPLOADS, "one row per object");
    assert.equal(Number(rows[0].keys), UPLOADS);

    const sets = new Set<string>();
    let token: string | undefined;
    do {
      const page = await pipeline.s3.send(new ListObjectsV2Command({ Bucket: pipeline.buckets.thumbnails, Prefix: "backlog/", ContinuationToken: token }));
      for (const object of page.Contents ?? []) sets.add((object.Key ?? "").split("/")[1]);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    assert.equal(sets.size, UPLOADS, "one thumbnail set per object");

    const report = await withStore(pipeline, async (store) =>
      buildRunReport((await store.get(run.run.id))!, { store, db, sqs: pipeline.sqs, dlqUrl: pipeline.dlq.url }),
    );
    assert.equal(report.objects, UPLOADS);
    assert.equal(report.rows, UPLOADS);
    assert.equal(report.ok, UPLOADS);
    assert.equal(report.objectsWithSeveralRows, 0);
    assert.equal(report.notYetProcessed, 0);
    assert.equal(report.dlqDepth, 0);
  });
});
