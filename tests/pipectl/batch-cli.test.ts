// `pipectl reprocess` and `pipectl dlq redrive` as operators run them: the
// real CLI in a child process, against a local pipeline it starts itself,
// reporting in JSON on stdout and answering with its exit code.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { LocalPipeline } from "../../local/pipeline";
import { s3EventNotificationBody } from "../../local/s3-event";
import { testPipeline, uploadTiny } from "../support/local-pipeline";

const REPO = join(__dirname, "..", "..");
const PIPECTL = join(REPO, "bin", "pipectl.js");
const SAMPLE_COUNT = readdirSync(join(REPO, "samples")).filter((f) => !f.startsWith(".")).length;

async function pipectl(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ report: Record<string, unknown>; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [PIPECTL, ...args], { cwd: REPO, timeout: 90_000, env });
  const lines = stdout.trim().split("\n");
  return { report: JSON.parse(lines[lines.length - 1]) as Record<string, unknown>, stderr };
}

describe("pipectl reprocess and dlq redrive (CLI)", function () {
  this.timeout(120_000);

  it("reprocess --local sends every sample, waits for the rows and exits 0 with a per-reason report", async () => {
    const { report, stderr } = await pipectl(["reprocess", "--local", "--json"]);
    assert.equal(report.kind, "reprocess");
    assert.equal(report.status, "completed");
    assert.equal(report.objects, SAMPLE_COUNT);
    assert.equal(report.sentThisRun, SAMPLE_COUNT);
    assert.equal(report.ok, SAMPLE_COUNT);
    assert.deepEqual(report.failedByReason, {});
    assert.deepEqual(report.notEnqueued, []);
    assert.equal(report.dlqDepth, 0);
    assert.match(stderr, /"progress":"reprocess","done":\d+,"total":\d+/, "progress goes to stderr as JSON lines");
  });

  it("dlq redrive --local with an empty DLQ moves nothing and exits 0", async () => {
    const { report } = await pipectl(["dlq", "redrive", "--local", "--json"]);
    assert.equal(report.kind, "redrive");
    assert.equal(report.status, "completed");
    assert.equal(report.movedThisRun, 0);
    assert.equal(report.dlqDepth, 0);
  });

  it("refuses to run without a target, naming the flags to pass", async () => {
    await assert.rejects(pipectl(["reprocess", "--json"]), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr ?? "", /--bucket and --queue-url .* or --local/);
      return true;
    });
  });

  describe("against the endpoints a running local pipeline prints", () => {
    let pipeline: LocalPipeline;
    // An operator's shell may hold real AWS credentials: the local servers must still be signed for with theirs.
    const shell = { ...process.env, AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "not-the-local-one", AWS_PROFILE: "" };
    const target = () => ["--sqs-endpoint", pipeline.endpoints.sqs, "--database-url", pipeline.databaseUrl, "--queue-url", pipeline.queue.url];

    before(async () => {
      pipeline = await testPipeline("cli_endpoints", { notifications: false });
    });
    after(async () => pipeline?.stop());

    it("reprocess sends every object under the prefix and reports each one's row", async () => {
      const keys = ["cli/a.jpg", "cli/b c.jpg", "cli/ü+.jpg"];
      await uploadTiny(pipeline, keys);
      const { report } = await pipectl(
        ["reprocess", "--bucket", pipeline.buckets.raw, "--s3-endpoint", pipeline.endpoints.s3, ...target(), "--prefix", "cli/", "--wait", "60", "--json"],
        shell,
      );
      assert.equal(report.status, "completed");
      assert.equal(report.objects, keys.length);
      assert.equal(report.rows, keys.length);
      assert.equal(report.ok, keys.length);
      assert.equal(report.objectsWithSeveralRows, 0);
      assert.equal(report.notYetProcessed, 0);
      assert.equal(report.dlqDepth, 0);
    });

    it("dlq redrive moves a dead letter back and reports its row", async () => {
      await uploadTiny(pipeline, ["dead/one.jpg"]);
      const head = await pipeline.s3.send(new (await import("@aws-sdk/client-s3")).HeadObjectCommand({ Bucket: pipeline.buckets.raw, Key: "dead/one.jpg" }));
      const body = s3EventNotificationBody(
        { bucket: pipeline.buckets.raw, key: "dead/one.jpg", eTag: (head.ETag ?? "").replace(/"/g, ""), size: head.ContentLength },
        { region: pipeline.region },
      );
      await pipeline.sqs.send(new SendMessageCommand({ QueueUrl: pipeline.dlq.url, MessageBody: body }));
      const { report } = await pipectl(["dlq", "redrive", ...target(), "--dlq-url", pipeline.dlq.url, "--wait", "60", "--json"], shell);
      assert.equal(report.status, "completed");
      assert.equal(report.movedThisRun, 1);
      assert.equal(report.ok, 1);
      assert.equal(report.rows, 1);
      assert.equal(report.dlqDepth, 0);
    });

    it("leaves a run it could not do resumable, not running, and exits 2 naming the cause", async () => {
      await assert.rejects(
        pipectl(["reprocess", "--bucket", "no-such-bucket", "--s3-endpoint", pipeline.endpoints.s3, ...target(), "--json"], shell),
        (err: { code?: number; stderr?: string }) => {
          assert.equal(err.code, 2);
          assert.match(err.stderr ?? "", /stopped by an error and is resumable/);
          return true;
        },
      );
      const { Client } = await import("pg");
      const db = new Client({ connectionString: pipeline.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ status: string }>("SELECT status FROM batch_runs WHERE params->>'bucket' = 'no-such-bucket'");
        assert.deepEqual(
          rows.map((r) => r.status),
          ["interrupted"],
        );
      } finally {
        await db.end();
      }
    });
  });
});
