// The batch engine's decision rules, without I/O: runs, progress, selection, SendMessageBatch.
import { strict as assert } from "node:assert";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { sendBatch } from "../../pipectl/batch/enqueue";
import { selectedBySince } from "../../pipectl/batch/object-source";
import { rateAndEta } from "../../pipectl/batch/progress";
import { paramsHash } from "../../pipectl/batch/run-store";

describe("batch engine rules", () => {
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
      assert.deepEqual(
        [...outcome.sent],
        [
          ["a", "id-0"],
          ["b", "id-1"],
        ],
      );
      assert.deepEqual([...outcome.failed], [["c", "InvalidParameterValue: bad body"]]);
      const calls = sqsMock.commandCalls(SendMessageBatchCommand);
      assert.equal(calls.length, 2);
      assert.deepEqual(
        calls[1].args[0].input.Entries?.map((e) => e.MessageBody),
        ["B"],
      );
    });

    it("reports every entry failed after the last attempt of a failing call", async () => {
      sqsMock.on(SendMessageBatchCommand).rejects(new Error("ServiceUnavailable"));
      const outcome = await sendBatch(new SQSClient({ region: "us-east-1" }), "https://sqs.local/q", [{ id: "a", body: "A" }], { attempts: 2, baseDelayMs: 1 });
      assert.deepEqual([...outcome.failed], [["a", "ServiceUnavailable"]]);
      assert.equal(sqsMock.commandCalls(SendMessageBatchCommand).length, 2);
    });
  });
});
