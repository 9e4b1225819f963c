// Each x64 bundle, copied alone into an empty temp folder (no node_modules of
// the repo anywhere on its resolution path), loads in a plain `node` process
// and its handler runs: the bundle is all a Lambda will have.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { buildFunctions } from "../../../toolchain/build/build";
import type { BuildManifest } from "../../../handlers/build-manifest";
import { makeTempDirs, REPO_ROOT } from "./support/temp-trees";

const execFileAsync = promisify(execFile);
const RESULT_MARK = "@@bundle-result@@";

/** Harmless values for every variable of docs/contracts.md; AWS calls would go to a closed local port. */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: "eu-central-1",
  AWS_ACCESS_KEY_ID: "bundle-test",
  AWS_SECRET_ACCESS_KEY: "bundle-test",
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
  POWERTOOLS_METRICS_NAMESPACE: "ThumbnailPipeline",
  POWERTOOLS_LOG_LEVEL: "ERROR",
  POWERTOOLS_DEV: "false",
  PIPELINE_STACK: "bundle-test",
  PIPELINE_REGION: "eu-central-1",
  DATABASE_URL: "postgres://bundle:bundle@127.0.0.1:9/bundle",
  RAW_BUCKET: "raw",
  THUMBNAILS_BUCKET: "thumbnails",
  THUMBNAILS_BASE_URL: "https://thumbnails.example.com",
  THUMBNAIL_SIZES: '[{"name":"small","width":160},{"name":"medium","width":320}]',
  THUMBNAIL_FORMATS: "jpeg,webp",
  MEMORY_STEP_MB: "128",
  MEMORY_CAP_MB: "1024",
  REMEDIATION_COOLDOWN_SECONDS: "600",
  MEMORY_FLOOR_PARAMETER_PREFIX: "/thumbnail-pipeline/bundle-test/eu-central-1/memory-floor/",
  DB_INSTANCE_ID: "bundle-test-db",
  DB_PARAMETER_GROUP: "bundle-test-params",
  CONNECTION_THRESHOLD: "0.8",
  CONNECTION_STEP: "10",
  CONNECTION_CEILING: "200",
  ALLOW_REBOOT: "false",
  MAX_CONNECTIONS_FLOOR_PARAMETER: "/thumbnail-pipeline/bundle-test/eu-central-1/max-connections-floor",
  CANARY_PREFIX: "canary/",
  CANARY_TIMEOUT_SECONDS: "120",
  ALERT_TOPIC_ARN: "arn:aws:sns:eu-central-1:000000000000:alerts",
  TICKET_TOPIC_ARN: "arn:aws:sns:eu-central-1:000000000000:tickets",
};

/**
 * Runs in the child, cwd = the lone bundle folder. Loads index.js, optionally
 * invokes the handler with an SQS batch holding an s3:TestEvent and resizes an
 * image with the bundled sharp, then reports which files it loaded.
 */
const CHILD = `
const { join } = require("node:path");
const dir = process.cwd();
const report = (r) => process.stdout.write("\\n${RESULT_MARK}" + JSON.stringify(r) + "\\n");
(async () => {
  const mod = require(join(dir, "index.js"));
  const out = { handlerType: typeof mod.handler };
  if (process.env.BUNDLE_TEST_INVOKE_S3_TEST_EVENT === "1") {
    const body = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: "2026-01-01T00:00:00.000Z", Bucket: "raw", RequestId: "R", HostId: "H" });
    const event = { Records: [{ messageId: "m-1", receiptHandle: "r-1", body, attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "s", ApproximateFirstReceiveTimestamp: "0" }, messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:eu-central-1:000000000000:raw-events", awsRegion: "eu-central-1" }] };
    const context = { awsRequestId: "bundle-test", functionName: "thumbnails", functionVersion: "$LATEST", invokedFunctionArn: "arn:aws:lambda:eu-central-1:000000000000:function:thumbnails", memoryLimitInMB: "512", logGroupName: "/aws/lambda/thumbnails", logStreamName: "s", callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 60000, done() {}, fail() {}, succeed() {} };
    out.result = await mod.handler(event, context);
  }
  if (process.env.BUNDLE_TEST_RESIZE === "1") {
    const sharp = require(join(dir, "node_modules", "sharp"));
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 10 } } }).png().toBuffer();
    const jpeg = await sharp(png).resize({ width: 16 }).jpeg().toBuffer();
    const meta = await sharp(jpeg).metadata();
    out.resized = { width: meta.width, height: meta.height, format: meta.format };
  }
  out.loadedFrom = Object.keys(require.cache);
  report(out);
})().catch((err) => { report({ error: String((err && err.stack) || err) }); process.exitCode = 1; });
`;

interface ChildReport {
  handlerType?: string;
  result?: unknown;
  resized?: { width: number; height: number; format: string };
  loadedFrom?: string[];
  error?: string;
}

async function runAlone(bundleDir: string, functionName: string, flags: Record<string, string>): Promise<ChildReport> {
  const env = { PATH: process.env.PATH ?? "", ...LAMBDA_ENV, POWERTOOLS_SERVICE_NAME: functionName, ...flags };
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(process.env.LAMBDA_NODE ?? process.execPath, ["-e", CHILD], {
      cwd: bundleDir,
      env,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    stdout = e.stdout ?? "";
    if (!stdout.includes(RESULT_MARK)) throw new Error(`${functionName}: the child failed without a report: ${e.message}\n${e.stderr ?? ""}`, { cause: err });
  }
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARK));
  assert.ok(line !== undefined, `${functionName}: no report in ${stdout}`);
  return JSON.parse(line.slice(RESULT_MARK.length)) as ChildReport;
}

/** True when some ancestor of `dir` holds a node_modules a require could fall back to. */
function nodeModulesAbove(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules")) && d !== dir) return join(d, "node_modules");
    if (dirname(d) === d) return undefined;
  }
}

describe("build: each x64 bundle runs alone", function () {
  this.timeout(600_000);
  const temp = makeTempDirs();
  let out: string;
  let manifest: BuildManifest;

  before(async () => {
    out = join(temp.make("build-x64"), "dist");
    manifest = await buildFunctions({ repoRoot: REPO_ROOT, arch: "x64", outDir: out });
  });
  after(() => temp.cleanup());

  /** A fresh folder holding one function's bundle and nothing else. */
  function isolate(name: string): string {
    const dir = temp.make(`lone-${name}`);
    cpSync(join(out, name), dir, { recursive: true });
    assert.equal(nodeModulesAbove(dir), undefined, `no node_modules above ${dir}`);
    return dir;
  }

  function assertSelfContained(dir: string, report: ChildReport, name: string): void {
    assert.equal(report.error, undefined, `${name} failed in the child:\n${report.error ?? ""}`);
    const outside = (report.loadedFrom ?? []).filter((p) => !p.startsWith(`${dir}/`));
    assert.deepEqual(outside, [], `${name} loaded files from outside its bundle`);
  }

  it("thumbnails: acknowledges an s3:TestEvent batch and resizes an image with the bundled sharp", async () => {
    assert.ok(manifest.functions.thumbnails !== undefined, "handlers/thumbnails/index.ts exists and was built");
    const dir = isolate("thumbnails");
    const report = await runAlone(dir, "thumbnails", { BUNDLE_TEST_INVOKE_S3_TEST_EVENT: "1", BUNDLE_TEST_RESIZE: "1" });
    assertSelfContained(dir, report, "thumbnails");
    assert.deepEqual(report.result, { batchItemFailures: [] });
    assert.deepEqual(report.resized, { width: 16, height: 12, format: "jpeg" });
    assert.ok(
      (report.loadedFrom ?? []).some((p) => p.startsWith(join(dir, "node_modules", "@img", "sharp-linux-x64"))),
      "the x64 sharp addon shipped in the bundle is the one loaded",
    );
  });

  it("every other function loads and exports a handler function", async () => {
    const others = Object.keys(manifest.functions).filter((n) => n !== "thumbnails");
    assert.ok(others.length > 0);
    for (const name of others) {
      const dir = isolate(name);
      const report = await runAlone(dir, name, {});
      assertSelfContained(dir, report, name);
      assert.equal(report.handlerType, "function", `${name} exports handler`);
    }
  });
});
