// The decision rules of the local pipeline and the batch tools, without I/O.
import { strict as assert } from "node:assert";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { decodeNotificationKey, parseMessageBody } from "../../handlers/thumbnails/events";
import { countStatuses, type StoredImageRow } from "../../handlers/shared/images-table";
import { sendBatch } from "../../pipectl/batch/enqueue";
import { rateAndEta } from "../../pipectl/batch/progress";
import { paramsHash } from "../../pipectl/batch/run-store";
import { selectedBySince } from "../../pipectl/batch/object-source";
import { encodeS3EventKey, objectsInBody, s3EventNotificationBody } from "../../local/s3-event";
import { succeededMessageIds } from "../../local/sqs-event";
import { formatTable, imageResult, succeeded, summarize } from "../../local/start-report";
import { rssDrift } from "../../bench/load/measure";

describe("local pipeline rules", () => {
  describe("S3 event notification bodies", () => {
    it("encodes keys as S3 does and the handler decodes them back", () => {
      const key = "photos/a b+c/ü 100%.jpg";
      assert.equal(encodeS3EventKey(key), "photos/a+b%2Bc/%C3%BC+100%25.jpg");
      const body = s3EventNotificationBody({ bucket: "raw", key, eTag: "abc", size: 3 }, { region: "eu-central-1" });
      const parsed = parseMessageBody(body);
      assert.equal(parsed.kind, "objects");
      assert.equal(parsed.kind === "objects" && parsed.objects[0].key, key);
      assert.equal(decodeNotificationKey(encodeS3EventKey(key)), key);
      assert.deepEqual(objectsInBody(body), [{ bucket: "raw", key, eTag: "abc" }]);
    });

    it("reads no objects from bodies that are not notifications", () => {
      assert.equal(objectsInBody("not json"), undefined);
      assert.equal(objectsInBody(JSON.stringify({ Event: "s3:TestEvent" })), undefined);
    });
  });

  describe("which messages the SQS mapping deletes", () => {
    const ids = ["a", "b", "c"];
    it("deletes all on success without failures", () => {
      assert.deepEqual(succeededMessageIds(ids, { kind: "returned", value: undefined }), ids);
      assert.deepEqual(succeededMessageIds(ids, { kind: "returned", value: { batchItemFailures: [] } }), ids);
    });
    it("keeps the reported failures", () => {
      assert.deepEqual(succeededMessageIds(ids, { kind: "returned", value: { batchItemFailures: [{ itemIdentifier: "b" }] } }), ["a", "c"]);
    });
    it("fails the whole batch on a throw or a malformed answer, as Lambda does", () => {
      assert.deepEqual(succeededMessageIds(ids, { kind: "threw", error: new Error("x") }), []);
      assert.deepEqual(succeededMessageIds(ids, { kind: "returned", value: { batchItemFailures: [{ itemIdentifier: "zzz" }] } }), []);
      assert.deepEqual(succeededMessageIds(ids, { kind: "returned", value: { batchItemFailures: [{}] } }), []);
      assert.deepEqual(succeededMessageIds(ids, { kind: "returned", value: { batchItemFailures: "b" } }), []);
    });
  });

  describe("already processed objects", () => {
    const common = { id: "1", transactionId: "t", correlationId: "c", originalUrl: "s3://raw/k", rawBucket: "raw", rawKey: "k", rawVersionId: undefined, rawETag: undefined, inputBytes: undefined, stageTimings: {}, createdAt: new Date("2026-01-02T00:00:00Z") };
    const ok = (rawKey = "k"): StoredImageRow => ({ ...common, rawKey, status: "ok", thumbnailUrlSmall: undefined, thumbnailUrlMedium: undefined, outputs: [], inputFormat: "jpeg", inputWidth: 1, inputHeight: 1, outputBytes: 0 });
    const failed = (rawKey = "k"): StoredImageRow => ({ ...common, rawKey, status: "failed", failureReason: "corrupt", failureDetail: "" });
    it("counts a key by its newest row", () => {
      const counts = countStatuses(["k", "gone", "bad"], [
        failed(),
        ok(),
        failed("bad"),
      ]);
      assert.deepEqual(counts, { ok: 1, failedByReason: { corrupt: 1 }, missing: ["gone"] });
    });
  });

  describe("runs", () => {
    it("identifies a run by its parameters, whatever their order", () => {
      assert.equal(paramsHash("reprocess", { bucket: "b", prefix: "p/" }), paramsHash("reprocess", { prefix: "p/", bucket: "b" }));
      assert.notEqual(paramsHash("reprocess", { bucket: "b", prefix: "p/" }), paramsHash("reprocess", { bucket: "b", prefix: "q/" }));
      assert.notEqual(paramsHash("reprocess", { bucket: "b" }), paramsHash("redrive", { bucket: "b" }));
    });
    it("selects by LastModified inclusively", () => {
      const since = new Date("2026-01-01T00:00:00Z");
      assert.equal(selectedBySince(since, since), true);
      assert.equal(selectedBySince(new Date("2025-12-31T23:59:59Z"), since), false);
      assert.equal(selectedBySince(undefined, undefined), true);
    });
    it("computes rate and ETA from this run's work only", () => {
      assert.deepEqual(rateAndEta(0, 10_000, 50, 100), { rate: 5, etaSeconds: 20 });
      assert.deepEqual(rateAndEta(0, 0, 0, 100), { rate: 0, etaSeconds: null });
    });
  });

  describe("SendMessageBatch", () => {
    // mockClient patches every SQSClient: create it here and restore it after, so other suites get real clients.
    let sqsMock: ReturnType<typeof mockClient>;
    before(() => {
      sqsMock = mockClient(SQSClient);
    });
    afterEach(() => sqsMock.reset());
    after(() => sqsMock.restore());

    it("retries the entries SQS failed transiently and gives up on sender faults", async () => {
      sqsMock
        .on(SendMessageBatchCommand)
        .resolvesOnce({
          Successful: [{ Id: "m0", MessageId: "id-0", MD5OfMessageBody: "" }],
          Failed: [
            { Id: "m1", SenderFault: false, Code: "InternalError" },
            { Id: "m2", SenderFault: true, Code: "InvalidParameterValue", Message: "bad body" },
          ],
        })
        .resolvesOnce({ Successful: [{ Id: "m1", MessageId: "id-1", MD5OfMessageBody: "" }], Failed: [] });
      const outcome = await sendBatch(
        new SQSClient({ region: "us-east-1" }),
        "https://sqs.local/q",
        [
          { id: "a", body: "A" },
          { id: "b", body: "B" },
          { id: "c", body: "C" },
        ],
        { attempts: 3, baseDelayMs: 1 },
      );
      assert.deepEqual([...outcome.sent], [["a", "id-0"], ["b", "id-1"]]);
      assert.deepEqual([...outcome.failed], [["c", "InvalidParameterValue: bad body"]]);
      const calls = sqsMock.commandCalls(SendMessageBatchCommand);
      assert.equal(calls.length, 2);
      assert.deepEqual(calls[1].args[0].input.Entries?.map((e) => e.MessageBody), ["B"]);
    });

    it("reports every entry failed after the last attempt of a failing call", async () => {
      sqsMock.on(SendMessageBatchCommand).rejects(new Error("ServiceUnavailable"));
      const outcome = await sendBatch(new SQSClient({ region: "us-east-1" }), "https://sqs.local/q", [{ id: "a", body: "A" }], { attempts: 2, baseDelayMs: 1 });
      assert.deepEqual([...outcome.failed], [["a", "ServiceUnavailable"]]);
      assert.equal(sqsMock.commandCalls(SendMessageBatchCommand).length, 2);
    });
  });

  describe("RSS drift (the load bench's memory bar)", () => {
    const MB = 1024 * 1024;
    const series = (rssMb: (i: number) => number, count = 40) => Array.from({ length: count }, (_, i) => ({ at: i * 1000, rss: rssMb(i) * MB }));

    it("ignores growth before warm-up and one spike after it", () => {
      // Warm-up climbs 30 MB; afterwards flat at 130 MB but for one GC-time spike in the last tenth.
      const samples = series((i) => (i < 10 ? 100 + 3 * i : i === 38 ? 160 : 130));
      const drift = rssDrift(samples, 10_000);
      assert.equal(drift.driftBytes, 0);
      assert.equal(drift.samples, 30);
      assert.equal(drift.peakRss, 160 * MB);
    });

    it("reports steady growth after warm-up as drift", () => {
      // 0.5 MB per sample over 30 samples after warm-up: the medians of the first and last three are 27 samples apart.
      const drift = rssDrift(series((i) => (i < 10 ? 100 : 120 + 0.5 * (i - 10))), 10_000);
      assert.equal(drift.driftBytes / MB, 13.5);
      assert.equal(drift.startRss, 120.5 * MB);
    });
  });

  describe("the npm start report", () => {
    const upload = { file: "a.jpg", key: "uploads/a.jpg", correlationId: "c1", uploadedAt: 0 };
    it("fails only when an upload is unaccounted for or the canary failed", () => {
      const dlq = imageResult(upload, undefined, true);
      const missing = imageResult(upload, undefined, false);
      assert.equal(dlq.status, "dlq");
      assert.equal(missing.status, "missing");
      assert.equal(succeeded(summarize([dlq], "passed")), true);
      assert.equal(succeeded(summarize([missing], "passed")), false);
      assert.equal(succeeded(summarize([dlq], "failed")), false);
      assert.match(formatTable([dlq]), /a\.jpg\s+dlq/);
    });
  });
});
