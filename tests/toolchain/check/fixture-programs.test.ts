// Programs written the way other teams write them (tests/toolchain/check/fixtures/programs),
// each run through `npm run check -- --program DIR` with snowflake-guard and
// the organisation's pack config, and held to its exact findings (policy,
// region, resource); each hardened copy, which adds what was missing, passes.
// The config is what an organisation gives the pack: its approved log
// destinations, and for a team that deploys a built folder, that build's
// manifest (the folder's engine archive hash, as the team's CI would write it).
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { folderArchiveHash } from "../../../toolchain/build/archive-hash";
import { DEFAULT_PACK_DIR, runCli } from "../../../toolchain/check/index";

const PROGRAMS = join(__dirname, "fixtures", "programs");
const ORG_CONFIG = join(PROGRAMS, "org-pack-config.json");

interface Build {
  name: string;
  artifact: string;
  folder: string;
}

interface Fixture {
  program: string;
  /** The exact findings: "<policy> <region> <resource name>". */
  findings: string[];
  /** A build manifest the team's pipeline gives the pack, for a program that deploys a built folder. */
  build?: Build;
}

const fixtures: Fixture[] = [
  {
    program: "s3-closure-lambda",
    findings: [
      "access-logging eu-west-1 uploads",
      // S3 invokes it asynchronously (the bucket's notification), and its failures go nowhere.
      "async-failure-destination eu-west-1 resize",
      "central-log-shipping eu-west-1 resize",
      "encryption-at-rest eu-west-1 uploads",
      // The CallbackFunction's role, one finding per broad attachment: AmazonS3FullAccess, CloudWatchEventsFullAccess,
      // AmazonSQSFullAccess, AmazonDynamoDBFullAccess, AWSLambda_FullAccess, AmazonKinesisFullAccess,
      // CloudWatchFullAccessV2, AmazonCognitoPowerUser (AWSXrayWriteOnlyAccess is narrow).
      "least-privilege-role eu-west-1 resize-4aaabb8e",
      "least-privilege-role eu-west-1 resize-74d12784",
      "least-privilege-role eu-west-1 resize-7cd09230",
      "least-privilege-role eu-west-1 resize-a1de8170",
      "least-privilege-role eu-west-1 resize-b5aeb6b6",
      "least-privilege-role eu-west-1 resize-e1a3786d",
      "least-privilege-role eu-west-1 resize-d32a66fa",
      "least-privilege-role eu-west-1 resize-019020e7",
      "private-buckets eu-west-1 uploads",
      "required-alarms eu-west-1 resize",
      "working-build eu-west-1 resize",
    ],
  },
  {
    program: "container-lambda",
    findings: ["central-log-shipping us-east-1 renderer", "required-alarms us-east-1 renderer", "working-build us-east-1 renderer"],
  },
  {
    program: "ecs-awslogs",
    findings: ["central-log-shipping eu-central-1 orders-logs", "encryption-at-rest eu-central-1 orders-logs", "working-build eu-central-1 orders"],
  },
  {
    program: "api-gateway-lambda",
    findings: [
      // GET /quote with authorization NONE: anyone who finds the URL can call it.
      "api-route-authorization us-west-2 get-quote",
      "central-log-shipping us-west-2 v1",
      "central-log-shipping us-west-2 quotes",
      "required-alarms us-west-2 quotes-api",
      "required-alarms us-west-2 quotes",
      "working-build us-west-2 quotes",
    ],
  },
  {
    program: "scheduled-function",
    findings: [
      "async-failure-destination ap-southeast-2 nightly-cleanup",
      "central-log-shipping ap-southeast-2 nightly-cleanup",
      "least-privilege-role ap-southeast-2 nightly-cleanup-4aaabb8e",
      "least-privilege-role ap-southeast-2 nightly-cleanup-74d12784",
      "least-privilege-role ap-southeast-2 nightly-cleanup-7cd09230",
      "least-privilege-role ap-southeast-2 nightly-cleanup-a1de8170",
      "least-privilege-role ap-southeast-2 nightly-cleanup-b5aeb6b6",
      "least-privilege-role ap-southeast-2 nightly-cleanup-e1a3786d",
      "least-privilege-role ap-southeast-2 nightly-cleanup-d32a66fa",
      "least-privilege-role ap-southeast-2 nightly-cleanup-019020e7",
      "required-alarms ap-southeast-2 nightly-cleanup",
      "working-build ap-southeast-2 nightly-cleanup",
    ],
  },
  {
    program: "two-region-drift",
    // Each region's sender runs the same release from its own region's artifact bucket: same key and version, so no working-build finding.
    findings: [
      // What the drift costs eu-west-1 on its own...
      "async-failure-destination eu-west-1 eu-west-1-outbox",
      "queue-visibility-timeout eu-west-1 eu-west-1-outbox",
      // ...and the regions compared: two, so tied, and each finding names both. The function's
      // memory and timeout; the DLQ and its two alarms that eu-west-1 lacks, on the queue they belong to.
      "region-parity eu-west-1 eu-west-1-sender",
      "region-parity eu-west-1 eu-west-1-sender",
      "region-parity eu-west-1 eu-west-1-outbox",
      "region-parity eu-west-1 eu-west-1-outbox",
      "region-parity eu-west-1 eu-west-1-outbox",
    ],
  },
  {
    program: "named-regions",
    // Three copies named by role (-main on the default provider, -legal, -apac), not by region code: matched by
    // the token each region's names carry, so the one copy with hand-raised memory is the odd one out.
    findings: ["region-parity eu-central-1 orders-worker-legal"],
  },
];

const hardened: Record<string, Build | undefined> = {
  "s3-closure-lambda-hardened": undefined,
  "container-lambda-hardened": undefined,
  "ecs-awslogs-hardened": undefined,
  "api-gateway-lambda-hardened": { name: "quotes", artifact: "app", folder: "app" },
  "scheduled-function-hardened": undefined,
  "two-region-drift-hardened": undefined,
};

interface JsonViolation {
  policy: string;
  region: string;
  urn: string;
  message: string;
  enforcementLevel: string;
}

describe("programs written elsewhere, through check --program", function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "fixture-programs-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The organisation's config, plus the team's build manifest when it has one. */
  function configFor(program: string, build: Build | undefined): string {
    if (!build) return ORG_CONFIG;
    const config = JSON.parse(readFileSync(ORG_CONFIG, "utf8")) as Record<string, unknown>;
    const archiveHash = folderArchiveHash(join(PROGRAMS, program, build.folder));
    config["working-build"] = { builds: [{ name: build.name, artifacts: { [build.artifact]: { archiveHash } } }] };
    const path = join(dir, `${program}.json`);
    writeFileSync(path, JSON.stringify(config));
    return path;
  }

  async function check(program: string, build: Build | undefined): Promise<{ code: number; violations: JsonViolation[]; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["--program", join(PROGRAMS, program), "--pack", DEFAULT_PACK_DIR, "--config", configFor(program, build), "--json"], {
      out: (t) => void out.push(t),
      err: (t) => void err.push(t),
    });
    const violations = out.length > 0 ? (JSON.parse(out.join("")) as { violations: JsonViolation[] }).violations : [];
    return { code, violations, err: err.join("") };
  }

  const finding = (v: JsonViolation) => `${v.policy} ${v.region} ${v.urn.slice(v.urn.lastIndexOf("::") + 2)}`;

  for (const f of fixtures) {
    it(`${f.program}: exactly its findings, all mandatory, and exit 1`, async () => {
      const { code, violations, err } = await check(f.program, f.build);
      assert.equal(code, 1, err);
      assert.deepEqual(violations.map(finding).sort(), [...f.findings].sort(), violations.map((v) => `${finding(v)}: ${v.message.split("\n")[0]}`).join("\n"));
      assert.deepEqual([...new Set(violations.map((v) => v.enforcementLevel))], ["mandatory"]);
    });
  }

  for (const [program, build] of Object.entries(hardened)) {
    it(`${program} passes with no finding at all`, async () => {
      const { code, violations, err } = await check(program, build);
      assert.deepEqual(
        violations.map((v) => `${finding(v)}: ${v.message.split("\n")[0]}`),
        [],
        err,
      );
      assert.equal(code, 0, err);
    });
  }

  it("names both regions in every finding of a two-region drift", async () => {
    const { violations } = await check("two-region-drift", undefined);
    const parity = violations.filter((v) => v.policy === "region-parity");
    assert.equal(parity.length, 5);
    for (const v of parity) assert.match(v.message, /^eu-west-1 \/ us-east-1: .*the regions are tied, so neither is the odd one/);
    // What eu-west-1 lacks is named by the us-east-1 resource it was matched from, and the way it hangs off the queue there.
    const missing = parity
      .filter((v) => v.urn.endsWith("::eu-west-1-outbox"))
      .map((v) => v.message.split("\n")[0])
      .sort();
    assert.deepEqual(
      missing.map((m) => /lacks its counterpart of (\S+) .*, which us-east-1-outbox has in us-east-1 \((.*)\);/.exec(m)?.slice(1)),
      [
        ["us-east-1-outbox-dlq", "us-east-1-outbox.redrivePolicy → us-east-1-outbox-dlq"],
        ["us-east-1-sender-dlq-age", "us-east-1-outbox.redrivePolicy → us-east-1-outbox-dlq ← us-east-1-sender-dlq-age.dimensions"],
        ["us-east-1-sender-dlq-depth", "us-east-1-outbox.redrivePolicy → us-east-1-outbox-dlq ← us-east-1-sender-dlq-depth.dimensions"],
      ],
      missing.join("\n"),
    );
  });
});
