// The `migrate` function: invoked by `aws.lambda.Invocation` at deploy time
// when the migrations change. Applies what is pending and returns the names,
// which Pulumi shows as the invocation's result. A failure throws, so the
// deployment stops before new handler code meets an old schema.
import type { Context } from "aws-lambda";
import { FUNCTION_ENVIRONMENTS } from "../../contracts";
import { databaseFromEnv } from "../shared/db";
import { createLogger, errorFields } from "../shared/logger";
import { migrate } from "./migrate";

export { defaultMigrationsDir, migrate, MIGRATIONS_TABLE, type ConnectionSource, type MigrationLog } from "./migrate";

export interface MigrateResult {
  applied: string[];
}

const logger = createLogger({ defaultServiceName: "migrate" });

export async function handler(_event: unknown, context?: Context): Promise<MigrateResult> {
  if (context !== undefined) logger.addContext(context);
  const database = databaseFromEnv(process.env, { onPoolError: (error) => logger.warn("database connection dropped", errorFields(error)) });
  try {
    const dir = FUNCTION_ENVIRONMENTS.migrate.migrationsDir.read(process.env);
    const applied = await migrate(database, dir, {
      info: (message) => logger.debug(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    });
    logger.info(applied.length === 0 ? "schema is current" : "migrations applied", { applied });
    return { applied };
  } catch (error) {
    logger.error("migration failed", { error });
    throw error;
  } finally {
    await database.end();
  }
}
