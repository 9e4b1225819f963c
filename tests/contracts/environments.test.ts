// Each function's environment: what the program writes, the handler reads
// back unchanged, and a bad value is refused naming the variable.
import assert from "node:assert/strict";
import {
  COMMON_ENVIRONMENT,
  EnvVarError,
  FUNCTION_ENVIRONMENTS,
  FUNCTION_NAMES,
  RUNTIME_ENV,
  readEnvironment,
  writeEnvironment,
  writeSomeEnvironment,
  type EnvSchema,
} from "../../contracts";

/** A deferred value, as the program's Pulumi Outputs are. */
class Deferred {
  constructor(readonly value: string) {}
}

const common = { serviceName: "fn", metricsNamespace: "ThumbnailPipeline", logLevel: "WARN" as const, stack: "dev", region: "eu-central-1" };
const database = {
  secretArn: new Deferred("arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-1-AbCdEf"),
  host: new Deferred("db.internal"),
  port: 5433,
  name: "thumbnails",
  tls: "verify-full" as const,
};

const written = {
  thumbnails: writeEnvironment<(typeof FUNCTION_ENVIRONMENTS)["thumbnails"], Deferred>(FUNCTION_ENVIRONMENTS.thumbnails, {
    ...common,
    ...database,
    sizes: [
      { name: "small", width: 160 },
      { name: "x_large", width: 2048 },
    ],
    formats: ["webp", "jpeg"],
    rawBucket: new Deferred("raw"),
    thumbnailsBucket: new Deferred("thumbs"),
    baseUrl: "https://cdn.example",
    maxInputBytes: 1000,
    maxInputPixels: 2000,
    queueUrl: new Deferred("https://sqs.eu-central-1.amazonaws.com/123456789012/q"),
    retryBaseSeconds: 45,
    mallocArenaMax: RUNTIME_ENV.MALLOC_ARENA_MAX,
    nodeOptions: RUNTIME_ENV.NODE_OPTIONS,
    execWrapper: "/var/task/node-options-wrapper",
    eventBus: "default",
  }),
  "db-guard": writeEnvironment<(typeof FUNCTION_ENVIRONMENTS)["db-guard"], Deferred>(FUNCTION_ENVIRONMENTS["db-guard"], {
    ...common,
    ...database,
    instanceId: "db-1",
    parameterGroup: "pg",
    threshold: 0.75,
    step: 20,
    ceiling: 300,
    allowReboot: true,
    floorParameter: "/thumbnail-pipeline/dev/eu-central-1/max-connections-floor",
    alertTopicArn: new Deferred("arn:alerts"),
    ticketTopicArn: new Deferred("arn:tickets"),
  }),
  api: writeEnvironment<(typeof FUNCTION_ENVIRONMENTS)["api"], Deferred>(FUNCTION_ENVIRONMENTS.api, {
    ...common,
    ...database,
    rawBucket: new Deferred("raw"),
    uploadPrefix: "uploads/",
    maxInputBytes: 1000,
  }),
  "result-publisher": writeEnvironment<(typeof FUNCTION_ENVIRONMENTS)["result-publisher"], Deferred>(FUNCTION_ENVIRONMENTS["result-publisher"], {
    ...common,
    ...database,
    eventBus: "default",
  }),
};

/** What the function would see once the deferred values resolved. */
function resolved(env: Record<string, string | Deferred>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v instanceof Deferred ? v.value : v]));
}

describe("contracts: function environments", () => {
  it("pass the program's deferred values through untouched and format the others as the reader parses them", () => {
    assert.ok(written.thumbnails.RAW_BUCKET instanceof Deferred);
    assert.equal(written.thumbnails.THUMBNAIL_SIZES, '[{"name":"small","width":160},{"name":"x_large","width":2048}]');
    assert.equal(written.thumbnails.THUMBNAIL_FORMATS, "webp,jpeg");
    assert.equal(written["db-guard"].ALLOW_REBOOT, "true");
    assert.equal(written["db-guard"].CONNECTION_THRESHOLD, "0.75");
    assert.equal(written.thumbnails.DATABASE_URL, undefined, "a variable local runs set is never written");
  });

  it("read back exactly what the program wrote", () => {
    const t = readEnvironment(FUNCTION_ENVIRONMENTS.thumbnails, resolved(written.thumbnails));
    assert.deepEqual(t.sizes, [
      { name: "small", width: 160 },
      { name: "x_large", width: 2048 },
    ]);
    assert.deepEqual(t.formats, ["webp", "jpeg"]);
    assert.deepEqual([t.rawBucket, t.maxInputBytes, t.retryBaseSeconds, t.port, t.tls, t.logLevel], ["raw", 1000, 45, 5433, "verify-full", "WARN"]);
    const g = readEnvironment(FUNCTION_ENVIRONMENTS["db-guard"], resolved(written["db-guard"]));
    assert.deepEqual([g.threshold, g.step, g.ceiling, g.allowReboot, g.alertTopicArn], [0.75, 20, 300, true, "arn:alerts"]);
    assert.equal(t.eventBus, "default");
    const a = readEnvironment(FUNCTION_ENVIRONMENTS.api, resolved(written.api));
    assert.deepEqual([a.rawBucket, a.uploadPrefix, a.maxInputBytes, a.expirySeconds, a.publicUrl], ["raw", "uploads/", 1000, 300, undefined]);
    assert.ok(a.contentTypes.includes("image/jpeg"));
    const p = readEnvironment(FUNCTION_ENVIRONMENTS["result-publisher"], resolved(written["result-publisher"]));
    assert.deepEqual([p.eventBus, p.maxEventsPerRun], ["default", 1000]);
  });

  it("give every function the common variables, and each variable one name across functions", () => {
    const names = new Map<string, string>();
    for (const fn of FUNCTION_NAMES) {
      const schema: EnvSchema = FUNCTION_ENVIRONMENTS[fn];
      for (const key of Object.keys(COMMON_ENVIRONMENT))
        assert.equal(schema[key]?.name, COMMON_ENVIRONMENT[key as keyof typeof COMMON_ENVIRONMENT].name, `${fn}.${key}`);
      for (const [key, v] of Object.entries(schema)) {
        const seen = names.get(v.name);
        // One variable, one key: the same name never means two fields.
        if (seen !== undefined) assert.equal(seen, key, `${v.name} is ${seen} and ${key}`);
        names.set(v.name, key);
      }
    }
  });

  it("refuse the program's mistakes before anything is deployed", () => {
    const schema = FUNCTION_ENVIRONMENTS["dlq-redriver"];
    const values = { ...common, dlqUrl: "d", queueUrl: "q", canaryAlarmName: "c", maxRedrives: 3, alertTopicArn: "a", ticketTopicArn: "t" };
    assert.equal(writeEnvironment(schema, values).MAX_REDRIVES, "3");
    const { dlqUrl: _missing, ...withoutDlq } = values;
    assert.throws(() => writeEnvironment(schema, withoutDlq as typeof values), /must write DLQ_URL/);
    assert.throws(() => writeEnvironment(schema, { ...values, maxMessagesPerRun: 5 } as typeof values), /MAX_MESSAGES_PER_RUN is not deployed/);
    assert.throws(() => writeEnvironment(schema, { ...values, dlqURL: "x" } as typeof values), /dlqURL is not a variable/);
  });

  it("refuse a bad value naming the variable, the value and the form, with the allowed value it resembles", () => {
    const env = resolved(written["db-guard"]);
    assert.throws(
      () => readEnvironment(FUNCTION_ENVIRONMENTS["db-guard"], { ...env, DB_TLS: "verify_full" }),
      (e: unknown) => {
        assert.ok(e instanceof EnvVarError);
        assert.equal(e.message, 'Environment variable DB_TLS is "verify_full"; expected one of disable, require, verify-full; did you mean "verify-full"?.');
        return true;
      },
    );
    assert.throws(
      () => readEnvironment(FUNCTION_ENVIRONMENTS["db-guard"], { ...env, CONNECTION_THRESHOLD: "80%" }),
      /CONNECTION_THRESHOLD is "80%"; expected a fraction above 0 and at most 1/,
    );
    assert.throws(() => readEnvironment(FUNCTION_ENVIRONMENTS["db-guard"], { ...env, POWERTOOLS_LOG_LEVEL: "INFOO" }), /did you mean "INFO"\?/);
    const api = resolved(written.api);
    assert.throws(
      () => readEnvironment(FUNCTION_ENVIRONMENTS.api, { ...api, UPLOAD_CONTENT_TYPES: "image/jpg" }),
      /UPLOAD_CONTENT_TYPES is "image\/jpg"; expected a comma list of .*did you mean "image\/jpeg"\?/,
    );
    assert.throws(
      () => readEnvironment(FUNCTION_ENVIRONMENTS.api, { ...api, UPLOAD_PREFIX: "uploads" }),
      /UPLOAD_PREFIX is "uploads"; expected one folder name ending in "\/"/,
    );
    assert.throws(
      () => readEnvironment(FUNCTION_ENVIRONMENTS["result-publisher"], { ...resolved(written["result-publisher"]), EVENT_BUS_NAME: "my bus" }),
      /EVENT_BUS_NAME is "my bus"; expected an EventBridge bus name/,
    );
    assert.throws(
      () => FUNCTION_ENVIRONMENTS.canary.prefix.read({ CANARY_PREFIX: "/canary" }),
      /CANARY_PREFIX is "\/canary"; expected a key prefix ending in "\/"/,
    );
    assert.throws(
      () => readEnvironment(FUNCTION_ENVIRONMENTS.migrate, { DATABASE_URL: "postgres://user:hunter2@[bad" }),
      (e: unknown) => {
        assert.ok(e instanceof EnvVarError && !e.message.includes("hunter2"), "a URL that may hold a password is never shown");
        return true;
      },
    );
  });

  it("let a stand-in process write any variable it needs, local ones included", () => {
    const env = writeSomeEnvironment(FUNCTION_ENVIRONMENTS.thumbnails, {
      url: "postgres://u:p@127.0.0.1:5432/db",
      tls: "disable",
      s3ForcePathStyle: true,
      formats: ["jpeg"],
    });
    assert.deepEqual(env, { DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db", DB_TLS: "disable", S3_FORCE_PATH_STYLE: "true", THUMBNAIL_FORMATS: "jpeg" });
  });
});
