// What the program gained for the pack (issue 10): the raw bucket's S3 access
// logs and the CDN's standard logs in each region's access-logs bucket, and
// shipping every log group to an organisation's existing cross-account log
// destination per jurisdiction instead of the stack's own archive, configured
// and validated like every other key. The pack passes both shapes.
import assert from "node:assert/strict";
import { ConfigError, parseConfig, rawConfigFromPulumi } from "../../infra/config";
import { AnalyzerSession } from "../../toolchain/check/analyzer-client";
import { DEFAULT_PACK_DIR } from "../../toolchain/check/index";
import { mergeConfig, parsePackConfig, stackPackConfigDocument } from "../../toolchain/check/pack-config";
import { checkPlan } from "../../toolchain/check/run-check";
import { MOCK_ACCOUNT_ID } from "../../toolchain/plan/mocks";
import { readStackConfig, REPO_ROOT, type PlanFile } from "../../toolchain/plan/plan-stack";
import { byName, ofType, planWith, prop, stackPlan } from "./support/plans";

const ORG_ACCOUNT = "111122223333";
const DESTINATIONS = { us: { accountId: ORG_ACCOUNT, destinationName: "org-logs-us" }, eu: { accountId: ORG_ACCOUNT, destinationName: "org-logs-eu" } };

function devRaw(extra: Record<string, unknown>): Record<string, unknown> {
  return { ...rawConfigFromPulumi(readStackConfig(REPO_ROOT, "dev")), ...extra };
}

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseConfig("dev", raw);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe("program: access logs and log destinations", function () {
  this.timeout(300_000);

  it("logs the raw bucket's access and the CDN's requests into the region's access-logs bucket", async () => {
    const dev = await stackPlan("dev");
    for (const region of ["us-east-1", "eu-central-1"]) {
      const raw = byName(dev, "aws:s3/bucket:Bucket", `${region}-raw-bucket`);
      const logs = byName(dev, "aws:s3/bucket:Bucket", `${region}-access-logs-bucket`);
      const logging = byName(dev, "aws:s3/bucketLogging:BucketLogging", `${region}-raw-bucket-access-logging`);
      assert.deepEqual(logging.propertyDependencies.bucket, [raw.urn]);
      assert.deepEqual(logging.propertyDependencies.targetBucket, [logs.urn]);
      assert.equal(prop(logging, "targetPrefix"), "s3/raw/");
      const cdn = byName(dev, "aws:cloudfront/distribution:Distribution", `${region}-cdn`);
      assert.equal(prop(cdn, "loggingConfig.bucket"), `${prop<string>(logs, "bucket")}.s3.amazonaws.com`);
      const ownership = byName(dev, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${region}-access-logs-bucket-ownership`);
      assert.equal(prop(ownership, "rule.objectOwnership"), "BucketOwnerPreferred", "CloudFront's standard logs need ACLs");
    }
  });

  it("refuses a region whose buckets CloudFront cannot deliver logs to, naming the key", () => {
    const regions = [{ name: "us-east-1" }, { name: "me-south-1" }];
    assert.ok(
      problemsOf(devRaw({ regions })).some((p) =>
        /^thumbnail-pipeline:regions\[1\]\.name: "me-south-1" is a region CloudFront cannot deliver its access logs to/.test(p),
      ),
    );
  });

  it("validates existingLogDestinations: every jurisdiction the stack ships to, no other, an account id and a name", () => {
    assert.deepEqual(problemsOf(devRaw({ existingLogDestinations: DESTINATIONS })), []);
    const problems = problemsOf(devRaw({ existingLogDestinations: { us: { accountId: "12345", destinationName: "a:b" }, ap: DESTINATIONS.us } }));
    for (const text of [
      /existingLogDestinations\.eu: \(missing\) is required: regions eu-central-1 ship to jurisdiction "eu"/,
      /existingLogDestinations\.ap: .* is not a jurisdiction this stack ships logs to; expected one of eu, us/,
      /existingLogDestinations\.us\.accountId: "12345" is not an AWS account id/,
      /existingLogDestinations\.us\.destinationName: "a:b" is not a CloudWatch Logs destination name/,
    ]) {
      assert.ok(
        problems.some((p) => text.test(p)),
        `${text} not in:\n${problems.join("\n")}`,
      );
    }
    assert.ok(
      problemsOf(devRaw({ existingLogDestinations: { ...DESTINATIONS, us: { ...DESTINATIONS.us, acountId: "x" } } })).some((p) =>
        /existingLogDestinations\.us\.acountId: is not a known key; did you mean "accountId"\?/.test(p),
      ),
    );
  });

  describe("with existing log destinations", () => {
    let plan: PlanFile;
    before(async () => {
      plan = await planWith("dev", { config: { existingLogDestinations: DESTINATIONS } });
    });

    it("creates no archive and no destination of its own, and ships each region to the destination of its jurisdiction", () => {
      assert.deepEqual(ofType(plan, "thumbnail-pipeline:index:CentralLogArchive"), []);
      assert.deepEqual(ofType(plan, "aws:cloudwatch/logDestination:LogDestination"), []);
      const filters = ofType(plan, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter");
      assert.ok(filters.length > 0);
      for (const f of filters) {
        const jurisdiction = f.region.startsWith("eu-") ? "eu" : "us";
        assert.equal(prop(f, "destinationArn"), `arn:aws:logs:${f.region}:${ORG_ACCOUNT}:destination:org-logs-${jurisdiction}`);
      }
      assert.ok(!JSON.stringify(plan).includes(`${MOCK_ACCOUNT_ID}:destination:`), "no destination of the stack's own account");
    });

    it("passes the pack once the organisation's destinations are approved, and fails it while they are not", async () => {
      const session = await AnalyzerSession.start({ packDir: DEFAULT_PACK_DIR, stack: "dev", project: plan.project });
      try {
        const approved = mergeConfig(stackPackConfigDocument("dev"), {
          "central-log-shipping": {
            approvedDestinations: [
              { arn: `arn:aws:logs:*:${ORG_ACCOUNT}:destination:org-logs-us`, jurisdictions: ["us"] },
              { arn: `arn:aws:logs:*:${ORG_ACCOUNT}:destination:org-logs-eu`, jurisdictions: ["eu"] },
            ],
          },
        });
        const passing = await checkPlan(session, plan, parsePackConfig(approved, "approved"));
        assert.deepEqual(
          passing.violations.map((v) => `${v.policy} ${v.region}: ${v.message.split("\n")[0]}`),
          [],
        );
        const unapproved = await checkPlan(session, plan, parsePackConfig(stackPackConfigDocument("dev"), "dev"));
        assert.ok(
          unapproved.violations.some((v) => v.policy === "central-log-shipping" && /org-logs-us is not an approved log destination/.test(v.message)),
          unapproved.violations.map((v) => v.message).join("\n"),
        );
      } finally {
        await session.close();
      }
    });
  });
});
