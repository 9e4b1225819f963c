import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseConfig, rawConfigFromPulumi } from "../../infra/config";
import { readStackConfig, REPO_ROOT } from "../../toolchain/plan/plan-stack";

const minimal = { regions: [{ name: "us-east-1" }], alerts: { emails: ["oncall@example.com"] } };

function problems(raw: Record<string, unknown>): string[] {
  try {
    parseConfig("dev", raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail("expected the config to be rejected");
}

describe("infra config", () => {
  it("fills every default from a minimal stack", () => {
    const cfg = parseConfig("dev", minimal);
    assert.equal(cfg.namePrefix, "thumbpipe-dev");
    assert.equal(cfg.centralLogRegion, "us-east-1");
    assert.deepEqual(cfg.regions, [{ name: "us-east-1", jurisdiction: "us", logArchiveRegion: "us-east-1" }]);
    assert.equal(cfg.remediation.memoryCapMb, 1024);
    assert.equal(cfg.remediation.memoryStepMb, 128);
    assert.equal(cfg.database.connectionCeiling, 200);
    assert.deepEqual(cfg.thumbnailFormats, ["jpeg", "webp"]);
  });

  it("parses the committed dev and prod stacks", () => {
    for (const stack of ["dev", "prod"]) {
      const cfg = parseConfig(stack, rawConfigFromPulumi(readStackConfig(REPO_ROOT, stack)));
      assert.ok(cfg.regions.length >= (stack === "dev" ? 2 : 3), `${stack} lists too few regions`);
      const legal = cfg.regions.filter((r) => r.residency === "legal");
      assert.equal(legal.length, 1, `${stack} marks one residency region`);
      assert.equal(legal[0].logArchiveRegion.split("-")[0], legal[0].name.split("-")[0], "the residency region archives in its own jurisdiction");
      assert.notEqual(legal[0].logArchiveRegion, cfg.centralLogRegion);
    }
  });

  it("names the key, the value and the expected form of a misspelt region", () => {
    const p = problems({ ...minimal, regions: [{ name: "us-east-1" }, { name: "eu-centrl-1" }] });
    assert.deepEqual(p, ['thumbnail-pipeline:regions[1].name: "eu-centrl-1" is not an AWS region; did you mean "eu-central-1"?']);
  });

  it("requires a residency region outside the central jurisdiction to name its own archive region", () => {
    const p = problems({ ...minimal, regions: [{ name: "eu-central-1", residency: "legal" }] });
    assert.equal(p.length, 1);
    assert.match(p[0], /^thumbnail-pipeline:regions\[0\]\.logArchiveRegion: \(missing\) is required: eu-central-1 is a residency region/);
    assert.match(p[0], /expected a region of jurisdiction "eu"/);
  });

  it("refuses an archive region in another jurisdiction", () => {
    const p = problems({ ...minimal, regions: [{ name: "eu-central-1", residency: "legal", logArchiveRegion: "us-west-2" }] });
    assert.deepEqual(p, [
      'thumbnail-pipeline:regions[0].logArchiveRegion: "us-west-2" is outside the region\'s jurisdiction "eu"; expected a region of that jurisdiction',
    ]);
  });

  it("reports every bad key at once, before anything is deployed", () => {
    const p = problems({
      ...minimal,
      functions: { thumbnails: { memoryMb: 2048 } },
      database: { maxConnections: 500, instanceClass: "t4g.micro" },
      thumbnails: { formats: ["jpeg", "gif"] },
      alerts: { emails: ["not-an-email"] },
      logRetentionDays: 10,
      regionz: [],
    });
    const keys = p.map((line) => line.split(":").slice(0, 2).join(":"));
    assert.deepEqual(keys.sort(), [
      "thumbnail-pipeline:alerts",
      "thumbnail-pipeline:alerts.emails[0]",
      "thumbnail-pipeline:database.instanceClass",
      "thumbnail-pipeline:database.maxConnections",
      "thumbnail-pipeline:functions.thumbnails.memoryMb",
      "thumbnail-pipeline:logRetentionDays",
      "thumbnail-pipeline:regionz",
      "thumbnail-pipeline:thumbnails.formats[1]",
    ]);
    assert.ok(
      p.includes("thumbnail-pipeline:functions.thumbnails.memoryMb: 2048 is out of range; expected an integer from 128 to the remediation cap 1024 MB"),
    );
    assert.ok(p.includes("thumbnail-pipeline:database.maxConnections: 500 is out of range; expected an integer from 10 to database.connectionCeiling (200)"));
  });

  it("refuses a stack without regions or alert endpoints", () => {
    const p = problems({});
    assert.ok(p.some((l) => l.startsWith('thumbnail-pipeline:regions: (missing) is missing or empty; expected a list like [{ name: "eu-central-1" }]')));
    assert.ok(p.some((l) => l.startsWith("thumbnail-pipeline:alerts: (missing) has no endpoint")));
  });

  it("requires every Jira field once ticketing.jira is set", () => {
    const p = problems({ ...minimal, ticketing: { jira: { baseUrl: "http://jira.example.com" } } });
    assert.ok(
      p.includes(
        'thumbnail-pipeline:ticketing.jira.baseUrl: "http://jira.example.com" is malformed; expected an https URL like "https://example.atlassian.net"',
      ),
    );
    assert.ok(p.some((l) => l.startsWith("thumbnail-pipeline:ticketing.jira.projectKey: (missing) is required")));
    assert.ok(p.some((l) => l.startsWith("thumbnail-pipeline:ticketing.jira.secretArn: (missing) is required")));
  });

  it("refuses a name prefix that would make AWS names too long", () => {
    const p = problems({ ...minimal, namePrefix: "a-very-long-name-prefix-for-this-pipeline" });
    assert.equal(p.length, 1);
    assert.match(p[0], /^thumbnail-pipeline:namePrefix: "a-very-long-name-prefix-for-this-pipeline" is too long: derived AWS names would reach \d+ characters/);
  });

  it("takes an existing database per region, for exactly the stack's regions", () => {
    const entry = (region: string) => ({
      secretArn: `arn:aws:secretsmanager:${region}:123456789012:secret:db-AbCdEf`,
      host: `db.${region}.internal`,
      dbName: "thumbnails",
      instanceId: "shared-db",
      parameterGroupName: "shared-pg",
      cidr: "10.50.0.0/16",
    });
    const regions = [{ name: "us-east-1" }, { name: "us-west-2" }];
    const cfg = parseConfig("dev", { ...minimal, regions, database: { existing: { "us-east-1": entry("us-east-1"), "us-west-2": entry("us-west-2") } } });
    assert.equal(cfg.database.existing?.["us-west-2"].port, 5432);
    const p = problems({ ...minimal, regions, database: { rdsProxy: true, existing: { "us-east-1": entry("us-west-2"), "eu-west-1": entry("eu-west-1") } } });
    assert.deepEqual(
      p.map((l) => l.slice(0, l.indexOf(" "))),
      [
        "thumbnail-pipeline:database.existing.us-west-2:",
        "thumbnail-pipeline:database.existing.us-east-1.secretArn:",
        "thumbnail-pipeline:database.existing.eu-west-1:",
        "thumbnail-pipeline:database.rdsProxy:",
      ],
    );
    assert.ok(p[1].endsWith("is malformed; expected a Secrets Manager secret ARN in us-east-1"));
  });

  it("decodes Pulumi's flat string config", () => {
    const raw = rawConfigFromPulumi({
      "thumbnail-pipeline:regions": '[{"name":"us-east-1"}]',
      "thumbnail-pipeline:logRetentionDays": "30",
      "aws:region": "us-east-1",
    });
    assert.deepEqual(raw, { regions: [{ name: "us-east-1" }], logRetentionDays: "30" });
    assert.equal(parseConfig("dev", { ...raw, alerts: minimal.alerts }).logRetentionDays, 30);
  });

  describe("near misses of allowed values and keys", () => {
    // Each typo is one a person makes; every one is refused with the value it resembles.
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "residency",
        { regions: [{ name: "eu-central-1", residency: "legall", logArchiveRegion: "eu-west-1" }] },
        'thumbnail-pipeline:regions[0].residency: "legall" is not a residency reason; did you mean "legal"?',
      ],
      [
        "jurisdiction",
        { regions: [{ name: "eu-central-1", jurisdiction: "eur" }] },
        'thumbnail-pipeline:regions[0].jurisdiction: "eur" is not a jurisdiction (the geography part of region names); did you mean "eu"?',
      ],
      [
        "archive region",
        { regions: [{ name: "eu-central-1", residency: "legal", logArchiveRegion: "eu-wset-1" }] },
        'thumbnail-pipeline:regions[0].logArchiveRegion: "eu-wset-1" is not an AWS region; did you mean "eu-west-1"?',
      ],
      [
        "central log region",
        { centralLogRegion: "us-eats-1" },
        'thumbnail-pipeline:centralLogRegion: "us-eats-1" is not an AWS region; did you mean "us-east-1"?',
      ],
      [
        "format",
        { thumbnails: { formats: ["jpeg", "wepb"] } },
        'thumbnail-pipeline:thumbnails.formats[1]: "wepb" is not a supported format; did you mean "webp"?',
      ],
      ["log level", { logLevel: "info" }, 'thumbnail-pipeline:logLevel: "info" is not a log level; did you mean "INFO"?'],
      [
        "instance class",
        { database: { instanceClass: "db.t4g.mirco" } },
        'thumbnail-pipeline:database.instanceClass: "db.t4g.mirco" is not an RDS for PostgreSQL instance class; did you mean "db.t4g.micro"?',
      ],
      [
        "engine version",
        { database: { engineVersion: "61" } },
        'thumbnail-pipeline:database.engineVersion: "61" is not a supported PostgreSQL version; did you mean "16"?',
      ],
      ["boolean", { database: { multiAz: "ture" } }, 'thumbnail-pipeline:database.multiAz: "ture" is not a boolean; did you mean "true"?'],
      ["top-level key", { logRetentionDay: 14 }, 'thumbnail-pipeline:logRetentionDay: is not a known key; did you mean "logRetentionDays"?'],
      ["nested key", { database: { maxConnection: 120 } }, 'thumbnail-pipeline:database.maxConnection: is not a known key; did you mean "maxConnections"?'],
      [
        "function name",
        { functions: { thumbnail: { memoryMb: 512 } } },
        'thumbnail-pipeline:functions.thumbnail: is not a known key; did you mean "thumbnails"?',
      ],
      ["retention", { logRetentionDays: 10 }, "thumbnail-pipeline:logRetentionDays: 10 is not a CloudWatch Logs retention; did you mean 7 or 14?"],
    ];
    for (const [what, raw, expected] of cases) {
      it(`answers a mistyped ${what} with "did you mean"`, () => {
        const p = problems({ ...minimal, ...raw });
        assert.ok(
          p.some((line) => line.startsWith(expected)),
          `${expected}\n  not in\n${p.join("\n")}`,
        );
      });
    }

    it("lists the allowed values when nothing is close", () => {
      const p = problems({ ...minimal, regions: [{ name: "us-east-1", residency: "because" }] });
      assert.deepEqual(p, ['thumbnail-pipeline:regions[0].residency: "because" is not a residency reason; expected one of legal']);
    });

    it("accepts the allowed values themselves", () => {
      const cfg = parseConfig("dev", { ...minimal, logLevel: "WARN", database: { instanceClass: "db.r7g.2xlarge", engineVersion: "17.2", multiAz: true } });
      assert.equal(cfg.logLevel, "WARN");
      assert.equal(cfg.database.instanceClass, "db.r7g.2xlarge");
      assert.equal(cfg.database.engineVersion, "17.2");
    });
  });

  describe("secret keys", () => {
    const url = "https://events.pagerduty.com/integration/0123456789abcdef/enqueue";

    it("takes the alert endpoints from the secret key only, as secret Outputs", async () => {
      const cfg = parseConfig("prod", { regions: [{ name: "us-east-1" }] }, { alertHttpsEndpoints: url });
      assert.equal(cfg.alerts.httpsEndpoints.length, 1);
      const endpoint = cfg.alerts.httpsEndpoints[0];
      assert.equal(await pulumi.isSecret(endpoint), true);
    });

    it("takes a JSON list of endpoints", () => {
      const cfg = parseConfig("prod", minimal, { alertHttpsEndpoints: JSON.stringify([url, `${url}?2`]) });
      assert.equal(cfg.alerts.httpsEndpoints.length, 2);
    });

    it("refuses a malformed secret without ever showing it", () => {
      let message = "";
      try {
        parseConfig("prod", minimal, { alertHttpsEndpoints: "http://events.pagerduty.com/integration/leaky-key/enqueue" });
      } catch (err) {
        message = (err as Error).message;
      }
      assert.match(message, /thumbnail-pipeline:alertHttpsEndpoints\[0\]: \(secret, not shown\) is not an https URL/);
      assert.doesNotMatch(message, /leaky-key/);
    });

    it("refuses an https endpoint in plain config, saying how to set it as a secret", () => {
      const p = problems({ ...minimal, alerts: { emails: ["oncall@example.com"], httpsEndpoints: [url] } });
      assert.equal(p.length, 1);
      assert.match(p[0], /^thumbnail-pipeline:alerts\.httpsEndpoints: \(not shown\) is plain config/);
      assert.match(p[0], /pulumi config set --secret thumbnail-pipeline:alertHttpsEndpoints/);
      assert.doesNotMatch(p[0], /0123456789abcdef/);
    });

    it("keeps the committed stack files free of plain secrets", () => {
      for (const stack of ["dev", "prod"]) {
        const config = readStackConfig(REPO_ROOT, stack);
        assert.equal(config["thumbnail-pipeline:alertHttpsEndpoints"], undefined, `${stack} holds alertHttpsEndpoints in plain text`);
        assert.doesNotMatch(JSON.stringify(config), /pagerduty\.com\/integration/, `${stack} holds an integration URL in plain text`);
      }
    });
  });

  describe("retry schedule", () => {
    it("defaults to a schedule that survives the 30-minute outage tolerance", () => {
      const cfg = parseConfig("dev", minimal);
      assert.deepEqual(cfg.queue.retry, { baseSeconds: 30, maxReceiveCount: 8 });
      assert.equal(cfg.queue.outageToleranceMinutes, 30);
      assert.equal(cfg.queue.maxRedrives, 3);
    });

    it("refuses a schedule that would dead-letter messages within the tolerated outage", () => {
      const p = problems({ ...minimal, queue: { maxReceiveCount: 5, retryBaseSeconds: 30 } });
      assert.deepEqual(p, [
        'thumbnail-pipeline:queue.maxReceiveCount: 5 with queue.retryBaseSeconds 30 survives an outage of 7 min 30 s, less than queue.outageToleranceMinutes (30); expected a higher maxReceiveCount or retryBaseSeconds (docs/operations.md, "Outages")',
      ]);
    });
  });
});
