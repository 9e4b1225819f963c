// Result events from committed rows: a refused or failed send leaves the row
// owed and it goes out on a later run; a sent one is not sent again.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Pool } from "pg";
import { REPO_ROOT } from "../../../cli/repo-root";
import { migrate } from "../../../handlers/migrate/migrate";
import { insertImage, type ImageRow } from "../../../handlers/shared/images-table";
import { publishOwedEvents, RESULT_DETAIL_TYPES, type EventSink, type ResultEvent } from "../../../handlers/shared/result-events";
import { freshDatabase } from "../../support/postgres";

const common = {
  correlationId: "c",
  originalUrl: "s3://raw/k",
  rawBucket: "raw",
  rawVersionId: undefined,
  rawETag: undefined,
  inputBytes: 10,
  stageTimings: {},
};
const okRow = (n: number): ImageRow => ({
  ...common,
  transactionId: `t${n}`,
  rawKey: `k${n}`,
  status: "ok",
  thumbnailUrlSmall: "u",
  thumbnailUrlMedium: undefined,
  outputs: [{ name: "small", format: "jpeg", key: "x", url: "https://cdn/x", width: 160, height: 90, bytes: 5 }],
  inputFormat: "jpeg",
  inputWidth: 1,
  inputHeight: 1,
  outputBytes: 5,
});

describe("result events", () => {
  let pool: Pool;
  before(async () => {
    const url = await freshDatabase("events");
    await migrate(url, join(REPO_ROOT, "handlers", "migrations"));
    pool = new Pool({ connectionString: url, max: 2 });
  });
  after(async () => pool?.end());

  it("sends each committed row's event once the bus takes it, and keeps refused ones owed for the next run", async () => {
    for (const n of [1, 2, 3]) await insertImage(pool, okRow(n));
    await insertImage(pool, { ...common, transactionId: "t4", rawKey: "k4", status: "failed", failureReason: "corrupt", failureDetail: "truncated" });
    const seen: ResultEvent[] = [];
    // The bus refuses the second event of each call (a per-entry PutEvents error), and then takes everything.
    let refuse = true;
    const sink: EventSink = async (events) => {
      seen.push(...events);
      return events.map((_, i) => (refuse && i === 1 ? "ThrottlingException: rate exceeded" : undefined));
    };
    assert.deepEqual(await publishOwedEvents(pool, sink, { limit: 100 }), { published: 3, failed: 1 });
    const { rows } = await pool.query<{ raw_key: string; event_attempts: number; event_last_error: string }>(
      "SELECT raw_key, event_attempts, event_last_error FROM images WHERE event_published_at IS NULL",
    );
    assert.deepEqual(rows, [{ raw_key: "k2", event_attempts: 1, event_last_error: "ThrottlingException: rate exceeded" }]);
    refuse = false;
    seen.length = 0;
    assert.deepEqual(await publishOwedEvents(pool, sink, { limit: 100 }), { published: 1, failed: 0 });
    assert.deepEqual(
      seen.map((e) => e.detail.original.key),
      ["k2"],
      "only the owed row is sent again",
    );
    assert.deepEqual(await publishOwedEvents(pool, sink, { limit: 100 }), { published: 0, failed: 0 });
  });

  it("keeps every row owed when the bus cannot be reached at all", async () => {
    await insertImage(pool, okRow(5));
    const down: EventSink = async () => {
      throw new Error("connect ETIMEDOUT");
    };
    assert.deepEqual(await publishOwedEvents(pool, down, { limit: 100 }), { published: 0, failed: 1 });
    const taken: ResultEvent[] = [];
    await publishOwedEvents(pool, async (events) => (taken.push(...events), events.map(() => undefined)), { limit: 100 });
    assert.equal(taken.length, 1);
    assert.equal(taken[0].detailType, RESULT_DETAIL_TYPES.ok);
    assert.deepEqual(taken[0].detail.thumbnails, [{ name: "small", format: "jpeg", width: 160, height: 90, url: "https://cdn/x" }]);
  });
});
