// The shared database access: settings from the environment, TLS modes, and
// a rotated secret picked up on a real PostgreSQL.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { Client } from "pg";
import {
  createDatabaseClient,
  findCaBundle,
  isAuthFailure,
  isConnectionError,
  parseDbSecret,
  readDatabaseSettings,
  secretsManagerCredentials,
  tlsOptions,
  type DbCredentials,
} from "../../../handlers/shared/db";
import { freshDatabase, postgresServer } from "../../support/postgres";

const ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db-master-AbCdEf";

describe("shared database access", () => {
  describe("settings", () => {
    it("prefers DATABASE_URL and leaves TLS to the URL unless DB_TLS says otherwise", () => {
      assert.deepEqual(readDatabaseSettings({ DATABASE_URL: "postgres://u:p@h/db" }), { source: "url", url: "postgres://u:p@h/db", tls: undefined });
      assert.equal(readDatabaseSettings({ DATABASE_URL: "postgres://u:p@h/db", DB_TLS: "require" }).tls, "require");
    });

    it("reads the secret ARN with host, port and name, verifying TLS by default", () => {
      assert.deepEqual(readDatabaseSettings({ DB_SECRET_ARN: ARN, DB_HOST: "db.internal", DB_NAME: "images" }), {
        source: "secret",
        secretArn: ARN,
        host: "db.internal",
        port: 5432,
        database: "images",
        tls: "verify-full",
      });
    });

    it("says which variable is missing or wrong, without echoing a URL that may hold a password", () => {
      assert.throws(() => readDatabaseSettings({}), /DB_SECRET_ARN is not set.*or set DATABASE_URL/);
      assert.throws(() => readDatabaseSettings({ DB_SECRET_ARN: ARN, DB_NAME: "x" }), /DB_HOST is not set/);
      assert.throws(() => readDatabaseSettings({ DB_SECRET_ARN: "db-master" }), /DB_SECRET_ARN is "db-master"; expected a Secrets Manager ARN/);
      assert.throws(() => readDatabaseSettings({ DB_SECRET_ARN: ARN, DB_HOST: "h", DB_NAME: "x", DB_PORT: "99999" }), /DB_PORT/);
      assert.throws(
        () => readDatabaseSettings({ DATABASE_URL: "not a url with s3cret" }),
        (error: unknown) => error instanceof Error && /DATABASE_URL/.test(error.message) && !error.message.includes("s3cret"),
      );
    });
  });

  describe("TLS", () => {
    it("maps each mode to what pg needs", () => {
      assert.equal(tlsOptions("disable", undefined), false);
      assert.deepEqual(tlsOptions("require", "PEM"), { rejectUnauthorized: false });
      assert.deepEqual(tlsOptions("verify-full", undefined), { rejectUnauthorized: true });
      assert.deepEqual(tlsOptions("verify-full", "PEM"), { rejectUnauthorized: true, ca: "PEM" });
    });

    it("takes the CA bundle from DB_CA_BUNDLE, else beside the bundle, else none", () => {
      const dir = mkdtempSync(join(tmpdir(), "ca-"));
      try {
        const explicit = join(dir, "explicit.pem");
        const beside = join(dir, "rds-ca-bundle.pem");
        writeFileSync(explicit, "EXPLICIT");
        assert.equal(findCaBundle({}, beside), undefined);
        writeFileSync(beside, "BESIDE");
        assert.equal(findCaBundle({}, beside), "BESIDE");
        assert.equal(findCaBundle({ DB_CA_BUNDLE: explicit }, beside), "EXPLICIT");
        assert.throws(() => findCaBundle({ DB_CA_BUNDLE: join(dir, "missing.pem") }, beside), /DB_CA_BUNDLE .*a PEM file that exists/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("secrets", () => {
    it("reads the RDS-managed secret through Secrets Manager", async () => {
      // Mock one instance, not the class, so no other suite's clients are affected.
      const client = new SecretsManagerClient({ region: "eu-central-1" });
      const mock = mockClient(client);
      try {
        mock
          .on(GetSecretValueCommand, { SecretId: ARN })
          .resolves({ SecretString: JSON.stringify({ username: "master", password: "pw", engine: "postgres" }) });
        assert.deepEqual(await secretsManagerCredentials(client)(ARN), { username: "master", password: "pw" });
        assert.equal(mock.commandCalls(GetSecretValueCommand).length, 1);
      } finally {
        mock.restore();
      }
    });

    it("rejects a malformed secret naming the secret, never its content", () => {
      assert.throws(() => parseDbSecret(undefined, ARN), new RegExp(`Secret ${ARN} has no SecretString`));
      assert.throws(
        () => parseDbSecret('{"user":"u","pass":"hunter2"}', ARN),
        (error: unknown) => error instanceof Error && /lacks a non-empty username or password/.test(error.message) && !error.message.includes("hunter2"),
      );
      assert.throws(
        () => parseDbSecret("hunter2", ARN),
        (error: unknown) => error instanceof Error && !error.message.includes("hunter2"),
      );
    });

    it("fetches the secret again when the server refuses a rotated password, and reuses it otherwise", async () => {
      const url = new URL(await freshDatabase("rotate"));
      const role = `rot_${Date.now().toString(36)}`;
      const admin = new Client({ connectionString: (await postgresServer()).adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'first-password'`);
        let current: DbCredentials = { username: role, password: "first-password" };
        let fetches = 0;
        const database = createDatabaseClient({
          settings: { source: "secret", secretArn: ARN, host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), tls: "disable" },
          credentials: async (arn) => {
            assert.equal(arn, ARN);
            fetches += 1;
            return current;
          },
        });
        try {
          assert.equal((await database.query<{ u: string }>("SELECT current_user AS u")).rows[0].u, role);
          await database.query("SELECT 1");
          assert.equal(fetches, 1, "cached between queries");

          // Rotation: the password changes, and the server drops the old session.
          await admin.query(`ALTER ROLE ${role} PASSWORD 'second-password'`);
          current = { username: role, password: "second-password" };
          await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", [role]);

          assert.equal((await database.query<{ u: string }>("SELECT current_user AS u")).rows[0].u, role);
          assert.equal(fetches, 2, "one failed login with the cached password, then a fresh fetch");
        } finally {
          await database.end();
        }
      } finally {
        await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
        await admin.end();
      }
    });

    it("runs the next statement on a new connection when the server dropped the old one", async () => {
      const url = await freshDatabase("dropped");
      const database = createDatabaseClient({ settings: { source: "url", url, tls: undefined } });
      const admin = new Client({ connectionString: url });
      await admin.connect();
      try {
        const before = (await database.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
        await admin.query("SELECT pg_terminate_backend($1)", [before]);
        // No wait for the pool to notice: the statement may meet the dead socket first.
        const after = (await database.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
        assert.notEqual(after, before);
      } finally {
        await admin.end();
        await database.end();
      }
    });

    it("tells connection and authentication failures apart", () => {
      const withCode = (code: string) => Object.assign(new Error(code), { code });
      assert.ok(isConnectionError(withCode("ECONNREFUSED")));
      assert.ok(isConnectionError(withCode("57P01")));
      assert.ok(isConnectionError(withCode("08001")));
      assert.ok(isConnectionError(new Error("Connection terminated unexpectedly")));
      assert.ok(!isConnectionError(withCode("23505")));
      assert.ok(isAuthFailure(withCode("28P01")));
      assert.ok(!isAuthFailure(withCode("ECONNREFUSED")));
    });
  });
});
