// A message the handler keeps handing back (a transient failure every time)
// is dead-lettered after maxReceiveCount, exactly as the SQS mapping and
// RedrivePolicy do in AWS; `dlq redrive` brings it back, and once the cause is
// gone it ends as a row.
import { strict as assert } from "node:assert";
import { Client } from "pg";
import { objectsInBody } from "../../local/s3-event";
import { createProgress } from "../../pipectl/batch/progress";
import { queueDepth, runRedrive } from "../../pipectl/batch/redrive";
import { buildRunReport } from "../../pipectl/batch/report";
import type { LocalPipeline } from "../../local/pipeline";
import type { SqsBatchHandler } from "../../local/sqs-event";
import { testPipeline, tinyJpeg, waitUntil, withStore } from "../support/local-pipeline";

describe("dead letters and pipectl dlq redrive", function () {
  this.timeout(90_000);
  let pipeline: LocalPipeline;
  let db: Client;
  let poisoned = true;
  const deliveriesOfPoison: number[] = [];

  // Plays a dependency that fails for one object only (say, its database shard is down).
  const failPoison =
    (handler: SqsBatchHandler): SqsBatchHandler =>
    async (event, context) => {
      const poison = event.Records.filter((r) => (objectsInBody(r.body) ?? []).some((o) => o.key.startsWith("poison/")));
      if (!poisoned || poison.length === 0) return handler(event, context);
      for (const r of poison) deliveriesOfPoison.push(Number(r.attributes.ApproximateReceiveCount));
      const rest = event.Records.filter((r) => !poison.includes(r));
      const answer = rest.length > 0 ? await handler({ Records: rest }, context) : undefined;
      return { batchItemFailures: [...(answer?.batchItemFailures ?? []), ...poison.map((r) => ({ itemIdentifier: r.messageId }))] };
    };

  before(async () => {
    pipeline = await testPipeline("dlq", { visibilityTimeoutSeconds: 1, maxReceiveCount: 2, handlerHost: "in-process", wrapHandler: failPoison });
    db = new Client({ connectionString: pipeline.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await pipeline?.stop();
  });

  it("dead-letters a message after maxReceiveCount and redrives it to success", async () => {
    await pipeline.upload({ key: "poison/bad day.jpg", body: await tinyJpeg(1) });
    await pipeline.upload({ key: "fine/good.jpg", body: await tinyJpeg(2) });

    await waitUntil("the poison message in the DLQ", () => pipeline.dlqKeys().includes("poison/bad day.jpg"));
    // Received exactly maxReceiveCount times, then moved by the queue, not by us.
    assert.deepEqual(deliveriesOfPoison, [1, 2]);
    const before = await pipeline.waitForRows(["poison/bad day.jpg", "fine/good.jpg"], { timeoutMs: 20_000 });
    assert.equal(before.rows.get("fine/good.jpg")?.status, "ok");
    assert.deepEqual(before.inDlq, ["poison/bad day.jpg"]);
    assert.deepEqual(before.missing, []);

    poisoned = false; // the cause is fixed
    const outcome = await withStore(pipeline, (store) =>
      runRedrive({ dlqUrl: pipeline.dlq.url, queueUrl: pipeline.queue.url }, { sqs: pipeline.sqs, store, progress: createProgress("t", "silent") }),
    );
    assert.equal(outcome.status, "completed");
    assert.equal(outcome.movedThisRun, 1);
    assert.equal(outcome.notMovedThisRun, 0);

    const after = await pipeline.waitForRows(["poison/bad day.jpg"], { timeoutMs: 30_000 });
    assert.equal(after.rows.get("poison/bad day.jpg")?.status, "ok");
    assert.deepEqual(await queueDepth(pipeline.sqs, pipeline.dlq.url), { visible: 0, inFlight: 0 });

    const report = await withStore(pipeline, async (store) =>
      buildRunReport((await store.get(outcome.run.id))!, { store, db, sqs: pipeline.sqs, dlqUrl: pipeline.dlq.url }),
    );
    assert.equal(report.kind, "redrive");
    assert.equal(report.ok, 1);
    assert.equal(report.dlqDepth, 0);
  });

  it("has nothing to move when the DLQ is empty", async () => {
    const outcome = await withStore(pipeline, (store) =>
      runRedrive(
        { dlqUrl: pipeline.dlq.url, queueUrl: pipeline.queue.url },
        { sqs: pipeline.sqs, store, progress: createProgress("t", "silent") },
        { fresh: true },
      ),
    );
    assert.equal(outcome.movedThisRun, 0);
    assert.equal(outcome.batchesThisRun, 0);
  });
});
