// The program stops before its first resource when the config is bad or the
// build is missing or stale, with a message that says what to do.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../infra/config";
import { pipelineProgram } from "../../infra/program";
import { ManifestError } from "../../handlers/build-manifest";
import { AwsMocks } from "../../toolchain/plan/mocks";
import { muteStackTraces, PlanError, planStack, readStackConfig } from "../../toolchain/plan/plan-stack";
import { fixtureCheckout, type FixtureCheckout } from "./support/fixture-checkout";

class CountingMocks extends AwsMocks {
  registered = 0;
  override newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
    this.registered++;
    return super.newResource(args);
  }
}

/** Runs the program directly under the shared mocks and returns how many resources it registered. */
async function runProgram(fx: FixtureCheckout, config: Record<string, string>): Promise<{ error: unknown; registered: number }> {
  const mocks = new CountingMocks();
  await pulumi.runtime.setMocks(mocks, "thumbnail-pipeline", "dev", false);
  pulumi.runtime.setAllConfig(config);
  const restore = muteStackTraces();
  let error: unknown;
  try {
    await pipelineProgram({ repoRoot: fx.root, stack: "dev" });
  } catch (err) {
    error = err;
  } finally {
    await pulumi.runtime.disconnect();
    restore();
  }
  return { error, registered: mocks.registered };
}

describe("program refusals", () => {
  let fx: FixtureCheckout;
  let devConfig: Record<string, string>;

  beforeEach(() => {
    fx = fixtureCheckout();
    devConfig = readStackConfig(fx.root, "dev");
  });
  afterEach(() => fx.remove());

  it("refuses to run without dist/manifest.json", async () => {
    const { error, registered } = await runProgram(fx, devConfig);
    assert.ok(error instanceof ManifestError);
    assert.equal(error.message, "dist/manifest.json is missing: run `npm run build` before deploying or planning.");
    assert.equal(registered, 0);
  });

  it("refuses a manifest built from other sources", async () => {
    fx.writeFreshManifest();
    fx.touchSources();
    const { error, registered } = await runProgram(fx, devConfig);
    assert.ok(error instanceof ManifestError);
    assert.match(error.message, /^dist\/manifest\.json is stale: .* Run `npm run build`\.$/);
    assert.equal(registered, 0);
  });

  it("refuses bad config before any resource, naming the key", async () => {
    fx.writeFreshManifest();
    const { error, registered } = await runProgram(fx, { ...devConfig, "thumbnail-pipeline:regions": JSON.stringify([{ name: "eu-centrl-1" }]) });
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, ['thumbnail-pipeline:regions[0].name: "eu-centrl-1" is not an AWS region; did you mean "eu-central-1"?']);
    assert.equal(registered, 0);
  });

  it("runs once the manifest is fresh", async () => {
    fx.writeFreshManifest();
    const { error, registered } = await runProgram(fx, devConfig);
    assert.equal(error, undefined);
    assert.ok(registered > 300, `only ${registered} resources`);
  });

  it("plans fail with a clear message for an unknown stack or bad config", async () => {
    await assert.rejects(planStack("staging", { repoRoot: fx.root, ensureBuild: false }), (err: unknown) => {
      assert.ok(err instanceof PlanError);
      assert.equal(err.message, 'unknown stack "staging": no Pulumi.staging.yaml in the project. Stacks here: dev, prod');
      return true;
    });
    fx.writeFreshManifest();
    await assert.rejects(planStack("dev", { repoRoot: fx.root, ensureBuild: false, config: { database: { maxConnections: "lots" } } }), (err: unknown) => {
      assert.ok(err instanceof PlanError);
      assert.match(err.message, /^stack "dev": Invalid stack configuration:\n {2}- thumbnail-pipeline:database\.maxConnections: "lots" is out of range/);
      return true;
    });
  });
});
