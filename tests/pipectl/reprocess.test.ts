// A reprocess run is resumable and safe to start twice: an interrupted run
// picks up after its checkpoint, and concurrent runs over one prefix leave one
// row per image.
import { strict as assert } from "node:assert";
import { Client } from "pg";
import { duplicateRows, rowsForKeys } from "../../handlers/shared/images-table";
import { createProgress } from "../../pipectl/batch/progress";
import { buildRunReport } from "../../pipectl/batch/report";
import { reprocessParams, runReprocess, type ReprocessSelection } from "../../pipectl/batch/reprocess";
import { RunStore } from "../../pipectl/batch/run-store";
import type { LocalPipeline } from "../../local/pipeline";
import { testPipeline, uploadTiny, withStore } from "../support/local-pipeline";

describe("pipectl reprocess", function () {
  this.timeout(90_000);
  let pipeline: LocalPipeline;
  let db: Client;
  const silent = createProgress("test", "silent");

  before(async () => {
    // Notifications off: the objects land but only reprocess sends them through.
    pipeline = await testPipeline("reprocess", { notifications: false });
    db = new Client({ connectionString: pipeline.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await pipeline?.stop();
  });

  const selection = (prefix: string): ReprocessSelection => ({ bucket: pipeline.buckets.raw, queueUrl: pipeline.queue.url, region: pipeline.region, prefix });
  const deps = (store: RunStore, extra: { signal?: AbortSignal; onBatch?: (n: number) => void } = {}) => ({
    s3: pipeline.s3,
    sqs: pipeline.sqs,
    store,
    progress: silent,
    lookupRows: (bucket: string, keys: string[]) => rowsForKeys(db, bucket, keys),
    ...extra,
  });

  it("resumes an interrupted run after its checkpoint and ends with one row per object", async () => {
    // Keys S3 must encode in notifications: spaces, `+`, non-ASCII.
    const keys = Array.from({ length: 25 }, (_, i) => `resume/photo ${String(i).padStart(2, "0")}${i % 5 === 0 ? "+ü" : ""}.jpg`);
    await uploadTiny(pipeline, keys);

    const abort = new AbortController();
    const first = await withStore(pipeline, (store) =>
      runReprocess(selection("resume/"), deps(store, { signal: abort.signal, onBatch: (n) => n === 1 && abort.abort() })),
    );
    assert.equal(first.status, "interrupted");
    assert.equal(first.enqueuedThisRun, 10);
    assert.equal(first.run.checkpoint.afterKey, keys[9]);

    // Same parameters again: the unfinished run is found and resumed, not restarted.
    const second = await withStore(pipeline, (store) => runReprocess(selection("resume/"), deps(store)));
    assert.equal(second.resumed, true);
    assert.equal(second.run.id, first.run.id);
    assert.equal(second.status, "completed");
    assert.equal(second.enqueuedThisRun, 15);

    const waited = await pipeline.waitForRows(keys, { timeoutMs: 60_000 });
    assert.deepEqual(waited.missing, []);
    assert.deepEqual(
      [...waited.rows.values()].map((r) => r.status),
      keys.map(() => "ok"),
    );
    assert.deepEqual(await duplicateRows(db, pipeline.buckets.raw), []);
    // Every object was sent exactly once over both attempts.
    const { rows } = await db.query<{ key: string; n: string }>("SELECT key, count(*) AS n FROM batch_run_items WHERE run_id = $1 GROUP BY key", [
      first.run.id,
    ]);
    assert.equal(rows.length, keys.length);
    assert.ok(rows.every((r) => r.n === "1"));

    const report = await withStore(pipeline, async (store) =>
      buildRunReport((await store.get(first.run.id))!, { store, db, sqs: pipeline.sqs, dlqUrl: pipeline.dlq.url }),
    );
    assert.equal(report.ok, 25);
    assert.equal(report.notYetProcessed, 0);
    assert.equal(report.dlqDepth, 0);

    // A third start of a completed selection re-covers it without sending anything.
    const third = await withStore(pipeline, (store) => runReprocess(selection("resume/"), deps(store)));
    assert.equal(third.resumed, false);
    assert.equal(third.enqueuedThisRun, 0);
    assert.equal(third.alreadyProcessedThisRun, 25);
  });

  it("resumes a run whose process died (its lock went with its connection)", async () => {
    const keys = ["crash/a.jpg", "crash/b.jpg", "crash/c.jpg"];
    await uploadTiny(pipeline, keys);
    // A process claims the run, then dies without marking it: the row still says "running".
    const crashed = await RunStore.open(pipeline.databaseUrl);
    const { run } = await crashed.claim({ kind: "reprocess", params: reprocessParams(selection("crash/")) });
    const whileAlive = await withStore(pipeline, (store) => runReprocess(selection("crash/"), deps(store)));
    assert.notEqual(whileAlive.run.id, run.id, "a live owner's run is not taken over");
    await crashed.close();
    const after = await withStore(pipeline, (store) => runReprocess(selection("crash/"), deps(store)));
    assert.equal(after.run.id, run.id);
    assert.equal(after.resumed, true);
    assert.equal(after.status, "completed");
  });

  it("gives one row per image when two runs over one prefix race", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `race/img-${String(i).padStart(2, "0")}.jpg`);
    await uploadTiny(pipeline, keys);
    const [a, b] = await Promise.all([
      withStore(pipeline, (store) => runReprocess(selection("race/"), deps(store))),
      withStore(pipeline, (store) => runReprocess(selection("race/"), deps(store))),
    ]);
    // Both ran (neither could take the other's lock) and together sent every object at least once.
    assert.notEqual(a.run.id, b.run.id);
    assert.equal(a.status, "completed");
    assert.equal(b.status, "completed");
    assert.ok(a.enqueuedThisRun + b.enqueuedThisRun >= keys.length);

    const waited = await pipeline.waitForRows(keys, { timeoutMs: 60_000 });
    assert.deepEqual(waited.missing, []);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let any redundant delivery land
    const rows = await rowsForKeys(db, pipeline.buckets.raw, keys);
    assert.equal(rows.length, keys.length);
    assert.deepEqual(await duplicateRows(db, pipeline.buckets.raw), []);
  });

  it("never lets a peer take over a run it has just created, even between its insert and its lock", async () => {
    const [creator, peer] = await Promise.all([RunStore.open(pipeline.databaseUrl), RunStore.open(pipeline.databaseUrl)]);
    try {
      // The peer claims the same parameters the moment the creator's new row is
      // committed: the worst timing two operators starting one reprocess can have.
      const params = { prefix: "claim-race/" };
      const connection = (creator as unknown as { client: Client }).client;
      const query = connection.query.bind(connection) as (...args: unknown[]) => Promise<unknown>;
      let peerClaim: ReturnType<RunStore["claim"]> | undefined;
      (connection as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
        const result = await query(...args);
        if (!peerClaim && typeof args[0] === "string" && args[0].startsWith("INSERT INTO batch_runs")) {
          peerClaim = peer.claim({ kind: "reprocess", params });
          await peerClaim;
        }
        return result;
      };
      const created = await creator.claim({ kind: "reprocess", params });
      assert.ok(peerClaim, "the peer claimed while the creator was inside claim()");
      const peers = await peerClaim;
      assert.equal(created.resumed, false);
      assert.notEqual(peers.run.id, created.run.id, "the peer took over the creator's new run");
      assert.deepEqual(peers.busyPeers, [created.run.id]);
    } finally {
      await Promise.all([creator.close(), peer.close()]);
    }
  });

  it("refuses contradictory selections with a message naming the fix", async () => {
    await withStore(pipeline, async (store) => {
      await assert.rejects(runReprocess({ ...selection("x/"), since: "yesterday" }, deps(store)), /--since "yesterday" is not a date; use ISO 8601/);
      await assert.rejects(runReprocess({ ...selection("x/"), keysFile: "keys.txt" }, deps(store)), /cannot be combined with --prefix/);
      await assert.rejects(runReprocess(selection("x/"), deps(store), { resumeId: "reprocess-nope" }), /no run with id reprocess-nope/);
    });
  });
});
