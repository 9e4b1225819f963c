// The schema migrations against a real PostgreSQL: first run, re-run,
// concurrent runs, and the constraints the handler's idempotency relies on.
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, Pool } from "pg";
import { defaultMigrationsDir, handler, migrate } from "../../../handlers/migrate";
import { freshDatabase } from "../../support/postgres";

const MIGRATIONS_DIR = join(__dirname, "..", "..", "..", "handlers", "migrations");
/** Every migration in the folder, in order: later issues add theirs after the first. */
const ALL_MIGRATIONS = readdirSync(MIGRATIONS_DIR)
  .filter((file) => file.endsWith(".sql"))
  .sort()
  .map((file) => file.replace(/\.sql$/, ""));

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function rowValues(transactionId: string, status: string, failureReason: string | null): unknown[] {
  return [transactionId, status, "s3://raw/a.jpg", "raw", "a.jpg", "corr", failureReason];
}

const INSERT = `INSERT INTO images (transaction_id, status, original_url, raw_bucket, raw_key, correlation_id, failure_reason)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

describe("migrations", () => {
  it("creates the images table on an empty database and records what it applied", async () => {
    const url = await freshDatabase("mig");
    const applied = await migrate(url, MIGRATIONS_DIR);
    assert.equal(applied[0], "0001_create-images");
    assert.deepEqual(applied, ALL_MIGRATIONS);
    const columns = await withClient(url, async (c) =>
      (await c.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'images'")).rows.map((r) => r.column_name),
    );
    for (const expected of [
      "id",
      "original_url",
      "raw_bucket",
      "raw_key",
      "raw_version_id",
      "thumbnail_url_small",
      "thumbnail_url_medium",
      "outputs",
      "transaction_id",
      "status",
      "failure_reason",
      "failure_detail",
      "correlation_id",
      "input_format",
      "input_width",
      "input_height",
      "input_bytes",
      "output_bytes",
      "stage_timings",
      "created_at",
      "updated_at",
    ]) {
      assert.ok(columns.includes(expected), `images.${expected} missing; have ${columns.join(", ")}`);
    }
  });

  it("applies nothing the second time", async () => {
    const url = await freshDatabase("mig");
    await migrate(url, MIGRATIONS_DIR);
    assert.deepEqual(await migrate(url, MIGRATIONS_DIR), []);
    const count = await withClient(url, async (c) => (await c.query<{ n: string }>("SELECT count(*) AS n FROM pgmigrations")).rows[0].n);
    assert.equal(count, String(ALL_MIGRATIONS.length));
  });

  it("lets concurrent deploys race: each migration applied exactly once", async () => {
    const url = await freshDatabase("mig");
    const pools = [new Pool({ connectionString: url, max: 1 }), new Pool({ connectionString: url, max: 1 })];
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, MIGRATIONS_DIR)));
      assert.deepEqual(results.flat().sort(), ALL_MIGRATIONS);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it("enforces one row per transaction id, known statuses, and a reason on every failure", async () => {
    const url = await freshDatabase("mig");
    await migrate(url, MIGRATIONS_DIR);
    await withClient(url, async (c) => {
      await c.query(INSERT, rowValues("tx-1", "ok", null));
      await assert.rejects(c.query(INSERT, rowValues("tx-1", "ok", null)), { code: "23505" });
      await assert.rejects(c.query(INSERT, rowValues("tx-2", "done", null)), { code: "23514" });
      await assert.rejects(c.query(INSERT, rowValues("tx-3", "failed", null)), { code: "23514" });
      await assert.rejects(c.query(INSERT, rowValues("tx-4", "ok", "corrupt")), { code: "23514" });
      await c.query(INSERT, rowValues("tx-5", "failed", "corrupt"));
      const { rows } = await c.query<{ id: string; created_at: Date; updated_at: Date }>(
        "SELECT id, created_at, updated_at FROM images WHERE transaction_id = 'tx-5'",
      );
      assert.match(rows[0].id, /^[0-9a-f-]{36}$/);
      await c.query("UPDATE images SET failure_detail = 'x' WHERE transaction_id = 'tx-5'");
      const after = await c.query<{ updated_at: Date }>("SELECT updated_at FROM images WHERE transaction_id = 'tx-5'");
      assert.ok(after.rows[0].updated_at.getTime() > rows[0].created_at.getTime(), "the trigger moves updated_at on UPDATE");
    });
  });

  it("finds handlers/migrations from source and refuses a folder that is not there", () => {
    assert.equal(defaultMigrationsDir(join(__dirname, "..", "..", "..", "handlers", "migrate")), MIGRATIONS_DIR);
    const empty = mkdtempSync(join(tmpdir(), "nomig-"));
    try {
      assert.throws(() => defaultMigrationsDir(join(empty, "a", "b")), /No migrations folder/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("rolls a failing set back as a whole", async () => {
    const url = await freshDatabase("mig");
    const dir = mkdtempSync(join(tmpdir(), "mig-"));
    try {
      writeFileSync(join(dir, "0001_good.sql"), "-- Up Migration\nCREATE TABLE good (id int);\n");
      writeFileSync(join(dir, "0002_bad.sql"), "-- Up Migration\nCREATE TABLE bad (id nosuchtype);\n");
      await assert.rejects(migrate(url, dir), /nosuchtype/);
      const tables = await withClient(url, async (c) => (await c.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'good'")).rowCount);
      assert.equal(tables, 0, "the good migration must not stay applied when a later one in the run fails");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("the migrate function", () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const name of ["DATABASE_URL", "MIGRATIONS_DIR", "DB_SECRET_ARN"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    it("applies pending migrations from the environment's database and returns them", async () => {
      const url = await freshDatabase("mig");
      process.env.DATABASE_URL = url;
      process.env.MIGRATIONS_DIR = MIGRATIONS_DIR;
      assert.deepEqual(await handler({}), { applied: ALL_MIGRATIONS });
      assert.deepEqual(await handler({}), { applied: [] });
    });

    it("fails with the variable to set when no database is configured", async () => {
      delete process.env.DATABASE_URL;
      delete process.env.DB_SECRET_ARN;
      await assert.rejects(handler({}), /DB_SECRET_ARN is not set.*DATABASE_URL/);
    });
  });
});
