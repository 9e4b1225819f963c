// The local S3 keeps any key inside its own directory, refuses what names no
// bucket, and answers a write it cannot do with an error instead of dying.
import { strict as assert } from "node:assert";
import { request } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startLocalAws, type LocalAws } from "../../local/local-aws";
import { decodeKeyPath, encodeKeyPath, PIECE_BYTES } from "../../local/s3-store";

const HOSTILE_KEYS = [
  "../../../../escape.jpg",
  "uploads/../../../escape-too.jpg",
  "uploads/./dot.jpg",
  "./x.jpg",
  ".",
  "..",
  "a/%2e%2e/b.jpg",
  "ctl\u0001\u001b[31m\u007f/x.jpg",
  `long/${"s".repeat(300)}.jpg`,
  `${"ü".repeat(400)}/x.jpg`,
  `${"k".repeat(1020)}.jpg`,
  "trailing/",
  "100%/x.jpg",
  "ends-with-%",
];

describe("local S3 store", function () {
  this.timeout(60_000);

  it("encodes keys into safe, invertible paths", () => {
    for (const key of [...HOSTILE_KEYS, "a//b", "", "plain/key.jpg", "x/%41/y"]) {
      const path = encodeKeyPath(key);
      assert.equal(decodeKeyPath(path), key, `round trip of ${JSON.stringify(key)}`);
      for (const piece of path.split("/")) {
        assert.ok(piece.startsWith("_"), `${JSON.stringify(piece)} of ${JSON.stringify(key)}`);
        assert.ok(Buffer.byteLength(piece) <= PIECE_BYTES);
        assert.ok(![...piece].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f));
      }
    }
  });

  describe("served by s3rver", () => {
    let sandbox: string;
    let aws: LocalAws;
    let s3: S3Client;

    before(async () => {
      // The store sits one level down, so anything escaping it lands in the sandbox where it is seen.
      sandbox = mkdtempSync(join(tmpdir(), "s3-sandbox-"));
      mkdirSync(join(sandbox, "a", "b", "c", "store"), { recursive: true });
      aws = await startLocalAws({ directory: join(sandbox, "a", "b", "c", "store") });
      s3 = new S3Client(aws.s3Config);
      await s3.send(new CreateBucketCommand({ Bucket: "raw" }));
    });
    after(async () => {
      await aws?.stop();
      rmSync(sandbox, { recursive: true, force: true });
    });

    it("stores, lists, reads and deletes every hostile key inside its directory", async () => {
      for (const [i, key] of HOSTILE_KEYS.entries()) {
        await s3.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: `body ${i}` }));
      }
      for (const [i, key] of HOSTILE_KEYS.entries()) {
        const got = await s3.send(new GetObjectCommand({ Bucket: "raw", Key: key }));
        assert.equal(await got.Body?.transformToString(), `body ${i}`, JSON.stringify(key));
      }
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "raw", Prefix: "long/" }));
      assert.deepEqual(
        listed.Contents?.map((o) => o.Key),
        [HOSTILE_KEYS[8]],
      );
      assert.deepEqual(readdirSync(join(sandbox, "a", "b", "c")), ["store"], "nothing beside the store");
      assert.deepEqual(readdirSync(join(sandbox, "a")), ["b"]);
      assert.deepEqual(readdirSync(sandbox), ["a"]);
      for (const key of HOSTILE_KEYS) await s3.send(new DeleteObjectCommand({ Bucket: "raw", Key: key }));
      assert.deepEqual(readdirSync(join(sandbox, "a", "b", "c", "store", "raw")), [], "deletes tidy only the bucket's own folders");
      assert.ok(existsSync(join(sandbox, "a", "b", "c", "store", "raw")), "never the bucket itself");
    });

    it("names no bucket outside the store, whatever the request path says", async () => {
      const { port } = new URL(aws.s3Endpoint);
      const status = (path: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request({ host: "127.0.0.1", port, path, method: "PUT", headers: { "content-length": "3" } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end("bad");
        });
      for (const path of ["/%2E%2E/escape.jpg", "/../escape.jpg", "/raw/..%2F..%2F..%2Fescape.jpg", "/./x"]) {
        const code = await status(path);
        assert.ok(code >= 400 || path.startsWith("/raw/"), `${path} answered ${code}`);
      }
      assert.deepEqual(readdirSync(join(sandbox, "a", "b", "c")), ["store"]);
      assert.deepEqual(readdirSync(sandbox), ["a"]);
      // And the server is still there for the next request.
      await s3.send(new PutObjectCommand({ Bucket: "raw", Key: "after/ok.jpg", Body: "fine" }));
    });
  });
});
