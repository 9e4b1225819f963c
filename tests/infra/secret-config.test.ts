// The program under Pulumi's mocks, reading the stack through pulumi.Config as
// `pulumi up` does: a value set with `pulumi config set --secret` reaches the
// resource that takes it still marked secret (in the wire form the engine
// records in state), and nowhere in plain text; a mistyped residency stops
// the plan before any resource.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../infra/config";
import { pipelineProgram } from "../../infra/program";
import { AwsMocks } from "../../toolchain/plan/mocks";
import { muteStackTraces, readStackConfig, SECRET_SIGNATURE, SIGNATURE_KEY } from "../../toolchain/plan/plan-stack";
import { fixtureCheckout, type FixtureCheckout } from "./support/fixture-checkout";

interface Registered {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: (err: unknown, resp?: unknown) => void): Promise<void>;
}

/** Runs the program with `config`, `secretKeys` marked secret as the CLI marks them, and returns every registration as sent to the engine. */
async function run(fx: FixtureCheckout, config: Record<string, string>, secretKeys: string[]): Promise<{ error: unknown; registered: Registered[] }> {
  await pulumi.runtime.setMocks(new AwsMocks(), "thumbnail-pipeline", "prod", false);
  pulumi.runtime.setAllConfig(config, secretKeys);
  const registered: Registered[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    registered.push({ type: req.getType(), name: req.getName(), props: req.getObject()?.toJavaScript() ?? {} });
    return register(req, callback);
  };
  const restore = muteStackTraces();
  let error: unknown;
  try {
    await pipelineProgram({ repoRoot: fx.root, stack: "prod" });
  } catch (err) {
    error = err;
  } finally {
    await pulumi.runtime.disconnect();
    restore();
  }
  return { error, registered };
}

/** Props with every secret-wrapped value removed: what is left must not hold the secret. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIGNATURE_KEY] === SECRET_SIGNATURE) return "[secret]";
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withoutSecrets(v)]));
  }
  return value;
}

describe("secret and mistyped config under the program", function () {
  this.timeout(120_000);
  let fx: FixtureCheckout;
  const key = "thumbnail-pipeline:alertHttpsEndpoints";
  const url = "https://events.pagerduty.com/integration/5ecre7-integration-key/enqueue";

  before(() => {
    fx = fixtureCheckout();
    fx.writeFreshManifest();
  });
  after(() => fx.remove());

  it("hands a secret alert endpoint to its subscription in every region marked secret, and to nothing else in plain text", async () => {
    const { error, registered } = await run(fx, { ...readStackConfig(fx.root, "prod"), [key]: url }, [key]);
    assert.equal(error, undefined);
    const subscriptions = registered.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.props.protocol === "https");
    assert.deepEqual(subscriptions.map((r) => r.name).sort(), ["ap-southeast-2-alerts-https-0", "eu-central-1-alerts-https-0", "us-east-1-alerts-https-0"]);
    for (const subscription of subscriptions) {
      assert.deepEqual(subscription.props.endpoint, { [SIGNATURE_KEY]: SECRET_SIGNATURE, value: url }, `${subscription.name} endpoint`);
    }
    for (const r of registered) {
      assert.doesNotMatch(JSON.stringify(withoutSecrets(r.props)), /5ecre7-integration-key/, `${r.type} ${r.name} holds the secret in plain text`);
    }
  });

  it("refuses a malformed secret before any resource, without showing it", async () => {
    const { error, registered } = await run(fx, { ...readStackConfig(fx.root, "prod"), [key]: "events.pagerduty.com/5ecre7-integration-key" }, [key]);
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, [
      'thumbnail-pipeline:alertHttpsEndpoints[0]: (secret, not shown) is not an https URL; expected e.g. "https://events.pagerduty.com/integration/<key>/enqueue"',
    ]);
    assert.doesNotMatch(error.message, /5ecre7/);
    assert.equal(registered.filter((r) => r.type !== "pulumi:pulumi:Stack").length, 0);
  });

  it("fails a plan whose residency is mistyped, answering did you mean legal", async () => {
    const config = readStackConfig(fx.root, "prod");
    const regions = JSON.parse(config["thumbnail-pipeline:regions"]) as { name: string; residency?: string }[];
    const typo = regions.map((r) => (r.residency === "legal" ? { ...r, residency: "legall" } : r));
    const { error, registered } = await run(fx, { ...config, "thumbnail-pipeline:regions": JSON.stringify(typo) }, []);
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, ['thumbnail-pipeline:regions[1].residency: "legall" is not a residency reason; did you mean "legal"?']);
    assert.equal(registered.filter((r) => r.type !== "pulumi:pulumi:Stack").length, 0);
  });
});
