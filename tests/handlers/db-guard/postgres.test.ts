// The Bar: a PostgreSQL with max_connections = 20 and 17 other sessions busy
// -> utilization >= 0.8, a breach, and a proposed 30; measured in process and
// through the real `pipectl db-guard` CLI.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { DEFAULT_POLICY } from "../../../handlers/db-guard/config";
import { judgeReading } from "../../../handlers/db-guard/decide";
import { measureConnections } from "../../../handlers/db-guard/measure";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../support/postgres";

const run = promisify(execFile);
const repoRoot = join(__dirname, "..", "..", "..");
const BUSY = 17;

describe("db-guard against a real PostgreSQL with max_connections = 20", function () {
  this.timeout(120_000);
  let server: EmbeddedPostgres;
  let admin: Client;
  const busy: Client[] = [];
  const running: Promise<unknown>[] = [];

  before(async () => {
    // The embedded role is a superuser, so the 3 superuser-reserved slots are usable:
    // 17 busy + this admin session + the guard's own = 19 of 20.
    server = await startEmbeddedPostgres({ settings: { max_connections: "20" } });
    admin = new Client({ connectionString: server.adminUrl });
    await admin.connect();
  });

  after(async () => {
    // Cut the sleeps short so nothing waits for them.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'busy-session'").catch(() => undefined);
    await Promise.allSettled(running);
    await Promise.allSettled(busy.map((c) => c.end()));
    await admin.end().catch(() => undefined);
    await server.stop();
  });

  it("sees only its own session as a quiet server", async () => {
    const sample = await measureConnections(admin);
    assert.equal(sample.max, 20);
    assert.equal(sample.active, 0);
    assert.equal(sample.hidden, 0);
    assert.equal(judgeReading(sample, DEFAULT_POLICY).breach, false);

    // A role without pg_monitor cannot see other sessions' state: the reading says so.
    await admin.query("CREATE ROLE guard_without_monitor LOGIN PASSWORD 'pw'");
    const url = new URL(server.adminUrl);
    url.username = "guard_without_monitor";
    url.password = "pw";
    const limited = new Client({ connectionString: url.toString() });
    await limited.connect();
    try {
      assert.ok((await measureConnections(limited)).hidden >= 1);
    } finally {
      await limited.end();
    }
  });

  it("with 17 sessions running statements reports a breach and proposes 30", async () => {
    for (let i = 0; i < BUSY; i++) {
      const c = new Client({ connectionString: server.adminUrl, application_name: "busy-session" });
      // Terminating the sleeps at the end makes these clients emit errors; they are expected.
      c.on("error", () => undefined);
      await c.connect();
      busy.push(c);
      running.push(c.query("SELECT pg_sleep(60)").catch(() => undefined));
    }
    // Wait until the server shows every sleep as active.
    for (let tries = 0; ; tries++) {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'busy-session' AND state = 'active'",
      );
      if (rows[0].n === BUSY) break;
      assert.ok(tries < 100, `only ${rows[0].n} of ${BUSY} sessions became active`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const sample = await measureConnections(admin);
    assert.equal(sample.active, BUSY, "the guard's own session is not counted");
    assert.equal(sample.total, BUSY + 1);
    const verdict = judgeReading(sample, DEFAULT_POLICY);
    assert.ok(verdict.utilization >= 0.8);
    assert.equal(verdict.breach, true);
    assert.equal(verdict.proposedMaxConnections, 30);

    const { stdout } = await run(
      process.execPath,
      [join(repoRoot, "bin", "pipectl.js"), "db-guard", "--database-url", server.adminUrl, "--dry-run", "--json"],
      {
        cwd: repoRoot,
        timeout: 60_000,
      },
    );
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(printed.active, BUSY);
    assert.equal(printed.max, 20);
    assert.ok((printed.utilization as number) >= 0.8, `utilization ${String(printed.utilization)}`);
    assert.equal(printed.threshold, 0.8);
    assert.equal(printed.breach, true);
    assert.equal(printed.proposedMaxConnections, 30);
    // The CLI's session adds one more connection but is not counted as active.
    assert.equal(printed.total, BUSY + 2);

    // Without --dry-run and without AWS it says what it would change and what it needs.
    const wouldChange = await run(process.execPath, [join(repoRoot, "bin", "pipectl.js"), "db-guard", "--database-url", server.adminUrl], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    assert.match(wouldChange.stdout, /active 17 \/ max_connections 20 = 0\.85 \(threshold 0\.8\)/);
    assert.match(
      wouldChange.stderr,
      /would set max_connections 20 -> 30 \(apply method pending-reboot\); changing it needs AWS: pass --parameter-group NAME --region REGION/,
    );

    // A higher threshold from the command line turns the same reading into no breach.
    const calm = await run(
      process.execPath,
      [join(repoRoot, "bin", "pipectl.js"), "db-guard", "--database-url", server.adminUrl, "--dry-run", "--json", "--threshold", "0.9"],
      {
        cwd: repoRoot,
        timeout: 60_000,
      },
    );
    const calmPrinted = JSON.parse(calm.stdout) as Record<string, unknown>;
    assert.equal(calmPrinted.breach, false);
    assert.equal(calmPrinted.proposedMaxConnections, null);
  });
});
