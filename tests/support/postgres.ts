// One real PostgreSQL per test process, from the project's one starter
// (local/postgres.ts): embedded by default, or the server named by
// DATABASE_URL. Each suite gets its own fresh database so suites never see
// each other's rows.
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../local/postgres";

export { startEmbeddedPostgres, type EmbeddedPostgres };

interface SharedServer {
  adminUrl: string;
  /** Set when the server is ours (embedded), not DATABASE_URL's. */
  embedded?: EmbeddedPostgres;
}

let serverPromise: Promise<SharedServer> | undefined;

/** The shared server for this test process, started on first use. */
export function postgresServer(): Promise<SharedServer> {
  if (!serverPromise) {
    const external = process.env.DATABASE_URL;
    serverPromise = external
      ? Promise.resolve({ adminUrl: external })
      : startEmbeddedPostgres().then((embedded) => ({ adminUrl: embedded.adminUrl, embedded }));
  }
  return serverPromise;
}

/** Called once by the root hooks after the whole run. */
export async function stopSharedPostgres(): Promise<void> {
  if (!serverPromise) return;
  const s = await serverPromise.catch(() => undefined);
  serverPromise = undefined;
  await s?.embedded?.stop().catch(() => undefined);
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
