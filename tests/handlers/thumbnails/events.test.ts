// Parsing invocations: SQS batches of S3 notifications, direct S3 events, and
// everything that is neither. Pure; no servers.
import { strict as assert } from "node:assert";
import { decodeNotificationKey, parseInvocation, parseMessageBody } from "../../../handlers/thumbnails/events";
import { encodeKeyAsS3Does, s3Notification, sqsBatch } from "./support/events";

describe("thumbnail events", () => {
  it("decodes keys as S3 encodes them: + is a space, %2B a plus, UTF-8 escapes", () => {
    for (const key of ["photos/a b.jpg", "c++/x+y.jpg", "ünï/日本 語.png", "100%/a%20b.jpg", "a/(1)'*!~.jpg"]) {
      assert.equal(decodeNotificationKey(encodeKeyAsS3Does(key)), key);
    }
    assert.equal(decodeNotificationKey("a+b%2Bc"), "a b+c");
    assert.equal(decodeNotificationKey("bad%E0%A4%A"), undefined);
  });

  it("reads every ObjectCreated record of an SQS message, versioned or not", () => {
    const body = s3Notification([
      { bucket: "raw", key: "x y/é+.jpg", versionId: "v1", eTag: "e1", sequencer: "0A" },
      { bucket: "raw", key: "plain.jpg", eTag: '"e2"', sequencer: "0B", size: 12 },
    ]);
    const parsed = parseMessageBody(body);
    assert.deepEqual(parsed, {
      kind: "objects",
      ignored: [],
      objects: [
        { bucket: "raw", key: "x y/é+.jpg", versionId: "v1", eTag: "e1", sequencer: "0A", eventName: "ObjectCreated:Put" },
        { bucket: "raw", key: "plain.jpg", eTag: "e2", sequencer: "0B", size: 12, eventName: "ObjectCreated:Put" },
      ],
    });
  });

  it("recognises s3:TestEvent", () => {
    const body = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: "2026-01-01T00:00:00Z", Bucket: "raw" });
    assert.deepEqual(parseMessageBody(body), { kind: "test-event" });
  });

  it("skips records that are not ObjectCreated", () => {
    const body = s3Notification([{ bucket: "raw", key: "gone.jpg", sequencer: "01" }], "ObjectRemoved:Delete");
    assert.deepEqual(parseMessageBody(body), { kind: "objects", objects: [], ignored: ["ObjectRemoved:Delete raw/gone.jpg"] });
  });

  it("calls malformed whatever is not an S3 notification, and says why", () => {
    const cases: [string, RegExp][] = [
      ["not json {", /not JSON/],
      ["42", /not a JSON object/],
      ["{}", /no Records array/],
      [JSON.stringify({ Records: [] }), /Records is empty/],
      [JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: {}, object: { key: "k" } } }] }), /bucket\.name is missing/],
      [
        JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "b" }, object: { key: "k" } } }] }),
        /no versionId, eTag or sequencer/,
      ],
      [
        JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "b" }, object: { key: "%E0%A4%A", eTag: "e" } } }] }),
        /invalid %-escape/,
      ],
    ];
    for (const [body, problem] of cases) {
      const parsed = parseMessageBody(body);
      assert.equal(parsed.kind, "malformed", body);
      assert.match(parsed.kind === "malformed" ? parsed.problem : "", problem);
    }
  });

  it("tells an SQS batch from a direct S3 event from anything else", () => {
    const body = s3Notification([{ bucket: "raw", key: "a.jpg", versionId: "v" }]);
    const sqs = parseInvocation(sqsBatch([{ messageId: "m1", body }]));
    assert.equal(sqs.kind, "sqs");
    assert.equal(sqs.kind === "sqs" && sqs.messages[0].messageId, "m1");
    const direct = parseInvocation(JSON.parse(body));
    assert.equal(direct.kind, "s3");
    assert.equal(parseInvocation({ hello: 1 }).kind, "unknown");
    assert.equal(parseInvocation({ Records: [{ nope: true }] }).kind, "unknown");
  });

  it("keeps only an excerpt of a huge malformed body", () => {
    const parsed = parseInvocation(sqsBatch([{ messageId: "m", body: "x".repeat(10_000) }]));
    assert.ok(parsed.kind === "sqs" && parsed.messages[0].excerpt.length < 600);
  });
});
