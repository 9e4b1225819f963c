// The local emulator's decision rules, without I/O: S3's notification
// bodies, what the SQS mapping deletes, and the npm start report.
import { strict as assert } from "node:assert";
import { decodeNotificationKey, parseMessageBody } from "../../handlers/thumbnails/events";
import { encodeS3EventKey, objectsInBody, s3EventNotificationBody } from "../../local/s3-event";
import { succeededMessageIds } from "../../local/sqs-event";
import { formatTable, imageResult, succeeded, summarize } from "../../local/start-report";

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
