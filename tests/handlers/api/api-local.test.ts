// The upload and status API end to end on the local pipeline: the real api
// handler behind the local HTTP server, real presigned POSTs sent to the
// local S3 (with S3's policy checks), the real thumbnails function, real
// PostgreSQL. What a client written with fetch alone sees; every answer of
// the API is checked against its OpenAPI document.
import { strict as assert } from "node:assert";
import { Client } from "pg";
import type { LocalPipeline } from "../../../local/pipeline";
import { testPipeline, tinyJpeg, waitUntil } from "../../support/local-pipeline";
import { assertDocumented } from "./openapi";

interface Created {
  imageId: string;
  correlationId: string;
  upload: { url: string; fields: Record<string, string>; expiresAt: string };
  statusUrl: string;
}

/** A documented answer: its status and headers, and its body already checked against the document. */
interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function documented(method: string, template: string, response: Response): Promise<Answer> {
  const body = await assertDocumented(method, template, response);
  return { status: response.status, headers: response.headers, body };
}

async function createUpload(api: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return documented(
    "POST",
    "/uploads",
    await fetch(`${api}/uploads`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }),
  );
}

async function created(api: string, body: unknown): Promise<Created> {
  const answer = await createUpload(api, body);
  assert.equal(answer.status, 201);
  return answer.body as Created;
}

async function getImage(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return documented("GET", "/images/{imageId}", await fetch(url, { headers }));
}

async function postFile(created: Created, file: Buffer, overrides: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...created.upload.fields, ...overrides })) form.append(name, value);
  form.append("file", new Blob([file]), "photo.jpg");
  return fetch(created.upload.url, { method: "POST", body: form });
}

async function status(
  upload: Created,
): Promise<{ status: string; reason: string | null; thumbnails: { url: string; width: number }[]; correlationId: string }> {
  const answer = await getImage(upload.statusUrl);
  assert.equal(answer.status, 200);
  return answer.body as Awaited<ReturnType<typeof status>>;
}

async function waitForTerminal(created: Created): Promise<Awaited<ReturnType<typeof status>>> {
  let last: Awaited<ReturnType<typeof status>> | undefined;
  await waitUntil(`a terminal status of ${created.imageId}`, async () => {
    last = await status(created);
    return last.status === "ok" || last.status === "failed";
  });
  return last as Awaited<ReturnType<typeof status>>;
}

describe("upload and status API (local pipeline)", function () {
  this.timeout(120_000);
  let pipeline: LocalPipeline;
  let api: string;

  before(async () => {
    pipeline = await testPipeline("api", { api: {}, functionEnv: { MAX_INPUT_BYTES: String(256 * 1024) } });
    api = (pipeline.api as NonNullable<LocalPipeline["api"]>).url;
  });
  const createdUpload = (body: unknown) => created(api, body);
  after(async () => pipeline?.stop());

  it("issues an upload, shows it pending, then ok with thumbnails that serve images", async () => {
    const created = await createdUpload({ contentType: "image/jpeg" });
    assert.match(created.imageId, /^[0-9a-f-]{36}$/);
    assert.match(created.correlationId, /^[0-9a-f-]{36}$/, "a correlation id is minted when none is sent");
    assert.equal(created.upload.fields.key, `uploads/${created.imageId}`);
    assert.equal(created.upload.fields["x-amz-meta-correlation-id"], created.correlationId);
    assert.equal((await status(created)).status, "pending");

    const posted = await postFile(created, await tinyJpeg(1));
    assert.equal(posted.status, 204, await posted.text());
    const done = await waitForTerminal(created);
    assert.equal(done.status, "ok");
    assert.equal(done.correlationId, created.correlationId);
    assert.ok(done.thumbnails.length >= 2);
    for (const thumbnail of done.thumbnails) {
      const image = await fetch(thumbnail.url);
      assert.equal(image.status, 200);
      assert.match(image.headers.get("content-type") ?? "", /^image\//);
    }
    // The row carries the caller's correlation id, taken from the object metadata the form set.
    const db = new Client({ connectionString: pipeline.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ correlation_id: string }>("SELECT correlation_id FROM images WHERE raw_key = $1", [created.upload.fields.key]);
      assert.deepEqual(rows, [{ correlation_id: created.correlationId }]);
    } finally {
      await db.end();
    }
  });

  it("keeps the caller's correlation id and reports a hostile file as failed with its reason", async () => {
    const created = await createdUpload({ contentType: "image/png", correlationId: "order-42" });
    assert.equal(created.correlationId, "order-42");
    const posted = await postFile(created, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'));
    assert.equal(posted.status, 204);
    const done = await waitForTerminal(created);
    assert.equal(done.status, "failed");
    assert.equal(done.reason, "unsupported-format");
    assert.equal(done.correlationId, "order-42");
  });

  it("announces both outcomes on the local bus, with image id, correlation id, reason and URLs, and lists them at /events", async () => {
    let events: { "detail-type": string; detail: { imageId: string | null; correlationId: string; reason: string | null; thumbnails: { url: string }[] } }[] =
      [];
    await waitUntil("the result events of both uploads", async () => {
      events = (await (await fetch(`${api}/events`)).json()) as typeof events;
      return events.some((e) => e.detail.correlationId === "order-42") && events.some((e) => e["detail-type"] === "Thumbnails Ready");
    });
    const ready = events.find((e) => e["detail-type"] === "Thumbnails Ready");
    assert.ok(ready?.detail.imageId, "the API's image id is in the event");
    assert.ok((ready?.detail.thumbnails.length ?? 0) >= 2);
    const failed = events.find((e) => e.detail.correlationId === "order-42");
    assert.equal(failed?.["detail-type"], "Thumbnails Failed");
    assert.equal(failed?.detail.reason, "unsupported-format");
  });

  it("refuses an over-size file, another content type and another key at upload time, as S3 does", async () => {
    const created = await createdUpload({ contentType: "image/jpeg", bytes: 1000 });
    const tooLarge = await postFile(created, Buffer.alloc(1001, 1));
    assert.equal(tooLarge.status, 400);
    assert.match(await tooLarge.text(), /<Code>EntityTooLarge<\/Code>/);
    const capped = await createdUpload({ contentType: "image/jpeg" });
    const overCap = await postFile(capped, Buffer.alloc(256 * 1024 + 1, 1));
    assert.equal(overCap.status, 400);
    assert.match(await overCap.text(), /EntityTooLarge/);
    const otherType = await postFile(created, await tinyJpeg(2), { "Content-Type": "text/html" });
    assert.equal(otherType.status, 403);
    assert.match(await otherType.text(), /Policy Condition failed.*Content-Type/);
    const otherKey = await postFile(created, await tinyJpeg(2), { key: "uploads/someone-else" });
    assert.equal(otherKey.status, 403);
    assert.equal((await status(created)).status, "pending", "nothing was stored");
  });

  it("answers a retried request with the same Idempotency-Key the same, and refuses the key for another request", async () => {
    const first = await createUpload(api, { contentType: "image/webp" }, { "Idempotency-Key": "retry-1" });
    const again = await createUpload(api, { contentType: "image/webp" }, { "Idempotency-Key": "retry-1" });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    const reused = await createUpload(api, { contentType: "image/png" }, { "Idempotency-Key": "retry-1" });
    assert.equal(reused.status, 422);
    assert.equal(reused.headers.get("content-type"), "application/problem+json");
  });

  it("names the bad field in an RFC 9457 problem", async () => {
    const response = await createUpload(api, { contentType: "image/jpg", bytes: -3 });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    const problem = response.body as { status: number; errors: { pointer: string; detail: string }[] };
    assert.equal(problem.status, 400);
    assert.deepEqual(
      problem.errors.map((e) => e.pointer),
      ["/contentType", "/bytes"],
    );
    assert.match(problem.errors[0].detail, /did you mean "image\/jpeg"/i);
  });

  it("answers 404 only for ids never issued, and 304 to a poller holding the current ETag", async () => {
    assert.equal((await getImage(`${api}/images/6f1d1a1e-0000-4000-8000-000000000000`)).status, 404);
    assert.equal((await getImage(`${api}/images/not-an-id`)).status, 404);
    const created = await createdUpload({ contentType: "image/jpeg" });
    const first = await getImage(created.statusUrl);
    const etag = first.headers.get("etag");
    assert.ok(etag);
    assert.equal(first.headers.get("cache-control"), "private, no-cache");
    const second = await getImage(created.statusUrl, { "if-none-match": etag });
    assert.equal(second.status, 304);
  });
});
