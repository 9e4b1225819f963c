// Proves the shared test servers work before any feature suite depends on them.
import { strict as assert } from "node:assert";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Client } from "pg";
import { startLocalAws, type LocalAws, type LocalS3EventRecord } from "../../local/local-aws";
import { freshDatabase } from "./postgres";

describe("test foundation", () => {
  it("gives each suite its own database on a real PostgreSQL", async () => {
    const url = await freshDatabase("foundation");
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
      assert.match(rows[0].v, /^\d+/);
      const { rows: db } = await client.query<{ d: string }>("SELECT current_database() AS d");
      assert.match(db[0].d, /^foundation_/);
    } finally {
      await client.end();
    }
  });

  describe("local S3 and SQS", () => {
    let aws: LocalAws;
    before(async () => {
      aws = await startLocalAws();
    });
    after(async () => {
      await aws.stop();
    });

    it("stores objects and notifies ObjectCreated", async () => {
      const s3 = new S3Client(aws.s3Config);
      const seen: LocalS3EventRecord[] = [];
      const off = aws.onObjectCreated((r) => seen.push(r));
      await s3.send(new CreateBucketCommand({ Bucket: "raw" }));
      await s3.send(new PutObjectCommand({ Bucket: "raw", Key: "a b/ü.jpg", Body: Buffer.from("hello") }));
      off();
      const got = await s3.send(new GetObjectCommand({ Bucket: "raw", Key: "a b/ü.jpg" }));
      assert.equal(await got.Body?.transformToString(), "hello");
      assert.equal(seen.length, 1);
      assert.equal(seen[0].s3.object.key, "a b/ü.jpg");
      assert.ok(seen[0].s3.object.eTag);
    });

    it("queues and delivers messages", async () => {
      const sqs = new SQSClient(aws.sqsConfig);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "foundation" }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m1" }));
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      assert.equal(r.Messages?.[0]?.Body, "m1");
    });
  });
});
