// `npm start -- --watch` as a person runs it, in a child process, while a
// real S3 client puts objects with hostile keys into its raw bucket: nothing
// lands outside the local store, the pipeline keeps running and processing,
// and each key ends ok or failed with a reason, with URLs that point at its
// own thumbnails only.
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Client } from "pg";
import { LOCAL_CREDENTIALS } from "../../local/local-aws";
import { freshDatabase } from "../support/postgres";
import { tinyJpeg, waitUntil } from "../support/local-pipeline";

const REPO = join(__dirname, "..", "..");

const HOSTILE_KEYS = [
  "hostile/../../../../../../escape.jpg",
  "../../outside.jpg",
  "hostile/./dot.jpg",
  "./lead-dot.jpg",
  `hostile/${"s".repeat(300)}.jpg`,
  "hostile/ctl\u0001\u001b[2J\u007f.jpg",
  "hostile/%2e%2e/%2E%2E/encoded.jpg",
  `hostile/${"k".repeat(1024 - "hostile/".length - ".jpg".length)}.jpg`,
];

interface Row {
  raw_key: string;
  status: string;
  failure_reason: string | null;
  transaction_id: string;
  thumbnail_url_small: string | null;
  thumbnail_url_medium: string | null;
  outputs: { key: string; url: string }[];
}

describe("npm start -- --watch under hostile keys", function () {
  this.timeout(180_000);
  let sandbox: string;
  let child: ChildProcess;
  let stderr = "";
  let stdout = "";
  let db: Client;

  before(async () => {
    sandbox = mkdtempSync(join(tmpdir(), "hostile-"));
    // The store sits deep in the sandbox: whatever escapes it shows up beside it.
    mkdirSync(join(sandbox, "a", "b", "c", "d", "e", "f", "store"), { recursive: true });
    mkdirSync(join(sandbox, "watch"));
    const databaseUrl = await freshDatabase("hostile_keys");
    child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO, "local", "start.ts"),
        "--no-samples",
        "--no-canary",
        "--json",
        "--watch",
        join(sandbox, "watch"),
        "--s3-dir",
        join(sandbox, "a", "b", "c", "d", "e", "f", "store"),
      ],
      { cwd: REPO, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitUntil("npm start to watch its folder", () => /watching .* for new files/.test(stderr) || child.exitCode !== null, 120_000);
    assert.equal(child.exitCode, null, stderr);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });

  after(async () => {
    await db?.end();
    if (child && child.exitCode === null) {
      child.kill("SIGINT");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    rmSync(sandbox, { recursive: true, force: true });
  });

  it("keeps every object inside its store, keeps processing, and ends each key ok or failed with a reason", async () => {
    const endpoint = /S3 (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    assert.ok(endpoint, `no S3 endpoint in:\n${stderr}`);
    const s3 = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { ...LOCAL_CREDENTIALS } });
    const image = await tinyJpeg(3);
    for (const key of HOSTILE_KEYS) await s3.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: image }));

    const rowsFor = async (keys: string[]) => (await db.query<Row>("SELECT * FROM images WHERE raw_key = ANY($1::text[])", [keys])).rows;
    await waitUntil("a row for every hostile key", async () => (await rowsFor(HOSTILE_KEYS)).length >= HOSTILE_KEYS.length, 90_000);
    const rows = await rowsFor(HOSTILE_KEYS);
    assert.deepEqual(rows.map((r) => r.raw_key).sort(), [...HOSTILE_KEYS].sort(), "one row per key, the key verbatim");

    for (const row of rows) {
      assert.ok(row.status === "ok" || row.failure_reason !== null, `${JSON.stringify(row.raw_key)} ended ${row.status} without a reason`);
      const urls = [row.thumbnail_url_small, row.thumbnail_url_medium, ...row.outputs.map((o) => o.url)].filter((u): u is string => u !== null);
      if (row.status === "ok") assert.ok(urls.length > 0);
      for (const url of urls) {
        const parsed = new URL(url);
        assert.equal(parsed.href, url, `${url} changes when a client or CDN normalises it`);
        assert.ok(parsed.pathname.startsWith("/thumbnails/"), `${url} leaves the thumbnails bucket`);
        assert.ok(parsed.pathname.includes(`/${row.transaction_id}/`), `${url} is not under its own transaction`);
        assert.ok(![...url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), `${JSON.stringify(url)} holds a control character`);
      }
      for (const output of row.outputs) {
        const got = await s3.send(new GetObjectCommand({ Bucket: "thumbnails", Key: output.key }));
        assert.match(got.ContentType ?? "", /^image\//, `${output.key} is its own thumbnail`);
      }
    }

    // Nothing beside the store, at any level of the sandbox.
    let level = sandbox;
    for (const name of ["a", "b", "c", "d", "e", "f"]) {
      assert.deepEqual(readdirSync(level).sort(), level === sandbox ? ["a", "watch"] : [name], `something escaped into ${level}`);
      level = join(level, name);
    }
    assert.deepEqual(readdirSync(level), ["store"]);

    // Still alive, still processing: a file dropped into the watched folder comes out ok.
    assert.equal(child.exitCode, null, `npm start died:\n${stderr.slice(-2000)}`);
    writeFileSync(join(sandbox, "watch", "after.jpg"), image);
    await waitUntil("the watched file's line", () => /"key":"watch\/after\.jpg"[^\n]*"status":"ok"/.test(stdout), 60_000);
  });
});
