// PostgreSQL access for the functions inside the VPC (thumbnails, migrate,
// db-guard, canary).
//
// - One connection per container (pool max 1): Lambda runs one event at a
//   time per container, so a bigger pool only wastes the database's
//   connection budget (M9, M12).
// - Credentials come from DATABASE_URL (local) or the RDS-managed secret named
//   by DB_SECRET_ARN. The secret is cached and fetched again when the server
//   rejects the password, so a rotation costs one failed login, not an outage.
// - TLS per DB_TLS. `verify-full` checks the chain and the host name; the CA is
//   the file named by DB_CA_BUNDLE, else `rds-ca-bundle.pem` next to the
//   bundle (the build may ship the RDS global bundle there), else Node's
//   trust store (extendable with NODE_EXTRA_CA_CERTS).
// - A connection the server dropped (restart, failover, idle kill) is thrown
//   away and the next query connects again; pool errors are reported, never
//   thrown, so the process survives them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConnectionOptions } from "node:tls";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Pool, type PoolClient, type PoolConfig, type QueryResult, type QueryResultRow } from "pg";
import { COMMON_ENVIRONMENT, EnvVarError, DATABASE_ENVIRONMENT, readEnvironment, TLS_MODES, type Env, type TlsMode } from "../../contracts";

export { TLS_MODES, type TlsMode };

const VARS = DATABASE_ENVIRONMENT;

export type DatabaseSettings =
  | { source: "url"; url: string; tls: TlsMode | undefined }
  | { source: "secret"; secretArn: string; host: string; port: number; database: string; tls: TlsMode };

/** host:port the settings connect to, for error messages (never the credentials). */
export function databaseEndpoint(settings: DatabaseSettings): string {
  if (settings.source === "secret") return `${settings.host}:${settings.port}`;
  const url = new URL(settings.url);
  return `${url.hostname || "localhost"}:${url.port || "5432"}`;
}

/** Reads DATABASE_URL, or DB_SECRET_ARN with DB_HOST/DB_PORT/DB_NAME, and DB_TLS (docs/contracts.md). */
export function readDatabaseSettings(env: Env): DatabaseSettings {
  const url = VARS.url.read(env);
  if (url !== undefined) return { source: "url", url, tls: VARS.tls.read(env) };
  const e = readEnvironment({ secretArn: VARS.secretArn, host: VARS.host, port: VARS.port, name: VARS.name, tls: VARS.tls }, env);
  if (e.secretArn === undefined) {
    throw new EnvVarError(
      VARS.secretArn.name,
      undefined,
      `the ARN of the database secret (with ${VARS.host.name}, ${VARS.port.name}, ${VARS.name.name}), or set ${VARS.url.name} instead`,
    );
  }
  const need = (value: string | undefined, v: { name: string; meaning: string }): string => {
    if (value === undefined) throw new EnvVarError(v.name, env[v.name], v.meaning);
    return value;
  };
  return {
    source: "secret",
    secretArn: e.secretArn,
    host: need(e.host, VARS.host),
    port: e.port,
    database: need(e.name, VARS.name),
    tls: e.tls ?? "verify-full",
  };
}

/** The CA bundle for `verify-full`: DB_CA_BUNDLE, else one shipped beside the bundle, else none (Node's store). */
export function findCaBundle(env: Env, besideBundle: string = join(__dirname, "rds-ca-bundle.pem")): string | undefined {
  const explicit = VARS.caBundle.read(env);
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new EnvVarError(VARS.caBundle.name, explicit, "the path of a PEM file that exists");
    return readFileSync(explicit, "utf8");
  }
  return existsSync(besideBundle) ? readFileSync(besideBundle, "utf8") : undefined;
}

/** What pg's `ssl` option must be for a TLS mode. */
export function tlsOptions(mode: TlsMode, caBundle: string | undefined): false | ConnectionOptions {
  switch (mode) {
    case "disable":
      return false;
    case "require":
      // Encrypted, but the certificate is not checked (libpq's sslmode=require).
      return { rejectUnauthorized: false };
    case "verify-full":
      // Chain and host name are checked (Node checks the name against the host by default).
      return caBundle === undefined ? { rejectUnauthorized: true } : { rejectUnauthorized: true, ca: caBundle };
  }
}

export interface DbCredentials {
  username: string;
  password: string;
}

/** Fetches the credentials a secret holds. */
export type CredentialsSource = (secretArn: string) => Promise<DbCredentials>;

/** Validates a secret's JSON; errors name the secret, never its content. */
export function parseDbSecret(secretString: string | undefined, secretArn: string): DbCredentials {
  const fail = (what: string) =>
    new Error(`Secret ${secretArn} ${what}; expected JSON {"username": "...", "password": "..."} (the RDS-managed master secret has this shape).`);
  if (secretString === undefined) throw fail("has no SecretString");
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw fail("is not JSON");
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== "string" || username === "" || typeof password !== "string" || password === "") {
    throw fail("lacks a non-empty username or password");
  }
  return { username, password };
}

export function secretsManagerCredentials(client: SecretsManagerClient = new SecretsManagerClient({})): CredentialsSource {
  return async (secretArn) => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return parseDbSecret(out.SecretString, secretArn);
  };
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "57P01", // admin_shutdown: the server is stopping or restarting
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or in recovery
  "53300", // too_many_connections
]);

const CONNECTION_ERROR_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /connection timeout/i,
];

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The server could not be reached, or dropped the connection: retrying later can succeed. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = errorCode(error);
  if (code !== undefined && (CONNECTION_ERROR_CODES.has(code) || code.startsWith("08"))) return true;
  return CONNECTION_ERROR_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** The server refused the credentials (wrong or rotated password, unknown user). */
export function isAuthFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code === "28P01" || code === "28000";
}

export interface Database {
  /**
   * Runs one statement on the container's connection. A statement that fails
   * because the connection was broken or the password was rotated is run
   * again on a new connection, so every statement sent here must be
   * idempotent (all of this project's are); use `connect()` for anything else.
   */
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  /** A connected client for session work (migrations, advisory locks). Always `release()` it. */
  connect(): Promise<PoolClient>;
  /** Closes the pool; the next call opens a new one. */
  end(): Promise<void>;
}

export interface DatabaseOptions {
  settings: DatabaseSettings;
  /** Secrets Manager by default. */
  credentials?: CredentialsSource;
  /** PEM for `verify-full`; see findCaBundle. */
  caBundle?: string;
  /** Called with errors of idle connections (the pool has already discarded them). */
  onPoolError?: (error: Error) => void;
  /** Shown in pg_stat_activity, so db-guard can tell who holds connections. */
  applicationName?: string;
  connectionTimeoutMillis?: number;
  idleTimeoutMillis?: number;
  statementTimeoutMillis?: number;
}

/** A URL whose sslmode parameters are dropped, so an explicit DB_TLS decides instead. */
function withoutSslParameters(url: string): string {
  const parsed = new URL(url);
  for (const name of ["sslmode", "ssl", "sslcert", "sslkey", "sslrootcert", "uselibpqcompat"]) parsed.searchParams.delete(name);
  return parsed.toString();
}

export function createDatabaseClient(options: DatabaseOptions): Database {
  const { settings } = options;
  const credentials = options.credentials ?? secretsManagerCredentials();
  let cachedCredentials: Promise<DbCredentials> | undefined;
  let poolPromise: Promise<Pool> | undefined;

  const currentCredentials = (secretArn: string): Promise<DbCredentials> => {
    if (cachedCredentials === undefined) {
      cachedCredentials = credentials(secretArn);
      // A failed fetch must not be cached, or one throttled call would stick.
      cachedCredentials.catch(() => {
        cachedCredentials = undefined;
      });
    }
    return cachedCredentials;
  };

  const buildPool = async (): Promise<Pool> => {
    const common: PoolConfig = {
      max: 1,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 60_000,
      statement_timeout: options.statementTimeoutMillis ?? 15_000,
      keepAlive: true,
      // Tools and tests end without calling end(); an idle pool must not hold the process open.
      allowExitOnIdle: true,
      ...(options.applicationName !== undefined ? { application_name: options.applicationName } : {}),
    };
    let config: PoolConfig;
    if (settings.source === "url") {
      config =
        settings.tls === undefined
          ? { ...common, connectionString: settings.url }
          : { ...common, connectionString: withoutSslParameters(settings.url), ssl: tlsOptions(settings.tls, options.caBundle) };
    } else {
      const { username } = await currentCredentials(settings.secretArn);
      config = {
        ...common,
        host: settings.host,
        port: settings.port,
        database: settings.database,
        user: username,
        // pg asks for the password on every new connection, so a rotated one is picked up.
        password: async () => (await currentCredentials(settings.secretArn)).password,
        ssl: tlsOptions(settings.tls, options.caBundle),
      };
    }
    const pool = new Pool(config);
    // Without a listener an idle connection's error (server restart) would crash the process.
    pool.on("error", (error) => options.onPoolError?.(error));
    return pool;
  };

  const pool = (): Promise<Pool> => {
    if (poolPromise === undefined) {
      poolPromise = buildPool();
      poolPromise.catch(() => {
        poolPromise = undefined;
      });
    }
    return poolPromise;
  };

  /**
   * Runs `work`, once more on a new connection if the old one was broken, and
   * once more with freshly fetched credentials if the password was refused.
   * Both can happen in a row: a rotation often comes with dropped sessions.
   */
  const withRecovery = async <T>(work: () => Promise<T>): Promise<T> => {
    let reconnected = false;
    let refetched = false;
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (isAuthFailure(error) && settings.source === "secret" && !refetched) {
          refetched = true;
          cachedCredentials = undefined;
        } else if (isConnectionError(error) && !reconnected) {
          // pg released the failed client with its error, so the next try gets a new connection.
          reconnected = true;
        } else {
          throw error;
        }
      }
    }
  };

  return {
    query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
      return withRecovery(async () => (await pool()).query<R>(text, values));
    },
    connect(): Promise<PoolClient> {
      return withRecovery(async () => (await pool()).connect());
    },
    async end(): Promise<void> {
      const current = poolPromise;
      poolPromise = undefined;
      if (current !== undefined) await (await current).end();
    },
  };
}

/** The database the environment names, with the CA bundle and Secrets Manager wired in. */
export function databaseFromEnv(env: Env = process.env, overrides: Partial<DatabaseOptions> = {}): Database {
  const settings = readDatabaseSettings(env);
  const applicationName = COMMON_ENVIRONMENT.serviceName.read(env);
  const caBundle = settings.tls === "verify-full" ? findCaBundle(env) : undefined;
  return createDatabaseClient({
    settings,
    ...(caBundle !== undefined ? { caBundle } : {}),
    ...(applicationName !== undefined ? { applicationName } : {}),
    ...overrides,
  });
}
