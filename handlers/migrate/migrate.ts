// Applies pending schema migrations (node-pg-migrate, SQL files). Used by the
// `migrate` function at deploy time, the local pipeline and the tests.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PoolClient } from "pg";

/** Where applied migrations are recorded. */
export const MIGRATIONS_TABLE = "pgmigrations";

/** Anything that hands out a connected client: a pg Pool, or the shared Database. */
export interface ConnectionSource {
  connect(): Promise<PoolClient>;
}

export interface MigrationLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The migrations folder: `migrations/` beside this file in the bundle (the
 * build copies handlers/migrations/ to dist/migrate/migrations/), else
 * handlers/migrations/ when running from source.
 */
export function defaultMigrationsDir(baseDir: string = __dirname): string {
  const candidates = [join(baseDir, "migrations"), join(baseDir, "..", "migrations")];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`No migrations folder: looked for ${candidates.join(" and ")}. Pass the folder explicitly or set MIGRATIONS_DIR.`);
  }
  return found;
}

const quiet: MigrationLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Applies every pending migration in `dir`, in one transaction, and returns
 * the names applied (empty when the schema is current). Concurrent callers
 * wait on node-pg-migrate's advisory lock instead of failing, so two deploys
 * racing each other both succeed and apply each migration once.
 */
export async function migrate(target: string | ConnectionSource, dir?: string, log: MigrationLog = quiet): Promise<string[]> {
  const migrationsDir = dir ?? defaultMigrationsDir();
  // node-pg-migrate is ESM-only; a dynamic import keeps this module CommonJS.
  const { runner } = await import("node-pg-migrate");
  const common = {
    dir: migrationsDir,
    direction: "up" as const,
    migrationsTable: MIGRATIONS_TABLE,
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: "wait" as const,
    logger: log,
  };
  if (typeof target === "string") {
    const applied = await runner({ ...common, databaseUrl: target });
    return applied.map((migration) => migration.name);
  }
  const client = await target.connect();
  try {
    const applied = await runner({ ...common, dbClient: client });
    return applied.map((migration) => migration.name);
  } finally {
    client.release();
  }
}
