// A stack file holding a secret as the CLI writes it (`pulumi config set
// --secret`: `key: { secure: v1:... }`). The offline plan cannot decrypt it,
// so it gives the program the stand-in the program declares for that key,
// marked secret as the CLI marks the real value; a secure key the program
// declares no stand-in for stops the plan, naming the key.
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OFFLINE_SECRET_STAND_INS } from "../../../infra/config";
import { fixtureCheckout, type FixtureCheckout } from "../../infra/support/fixture-checkout";
import { PlanError, planStack, SECRET_SIGNATURE, SIGNATURE_KEY } from "../../../toolchain/plan/plan-stack";

// The shape of a ciphertext the CLI writes; nobody can decrypt this one.
const CIPHERTEXT = "v1:q2Vb7nQ3w1c=:v1:Zm9vYmFyYmF6cXV4cXV1eA==:KJ3lD0yR8mZp1sWqA6uXbC5tE9hN2oGf";

describe("the offline plan of a stack whose file holds an encrypted secret", function () {
  this.timeout(180_000);
  let fx: FixtureCheckout;

  before(() => {
    fx = fixtureCheckout();
    fx.writeFreshManifest();
    appendFileSync(join(fx.root, "Pulumi.prod.yaml"), `  thumbnail-pipeline:alertHttpsEndpoints:\n    secure: ${CIPHERTEXT}\n`);
  });
  after(() => fx.remove());

  it("plans with the program's declared stand-in, marked secret, in every region's https subscription", async () => {
    const plan = await planStack("prod", { repoRoot: fx.root, ensureBuild: false });
    const subscriptions = plan.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.props.protocol === "https");
    assert.equal(subscriptions.length, 3, "one https subscription per prod region");
    const [standIn] = JSON.parse(OFFLINE_SECRET_STAND_INS.alertHttpsEndpoints) as string[];
    for (const s of subscriptions) assert.deepEqual(s.props.endpoint, { [SIGNATURE_KEY]: SECRET_SIGNATURE, value: standIn }, s.name);
    assert.doesNotMatch(JSON.stringify(plan), new RegExp(CIPHERTEXT.slice(-16)), "the ciphertext reaches nothing");
  });

  it("refuses a secure key the program declares no stand-in for, naming it", async () => {
    const file = join(fx.root, "Pulumi.prod.yaml");
    const before = readFileSync(file, "utf8");
    try {
      appendFileSync(file, `  thumbnail-pipeline:jiraToken:\n    secure: ${CIPHERTEXT}\n`);
      await assert.rejects(planStack("prod", { repoRoot: fx.root, ensureBuild: false }), (e: unknown) => {
        assert.ok(e instanceof PlanError);
        assert.match(
          e.message,
          /^thumbnail-pipeline:jiraToken is a secret, and the program declares no offline stand-in for it \(it declares thumbnail-pipeline:alertHttpsEndpoints\)/,
        );
        return true;
      });
    } finally {
      writeFileSync(file, before);
    }
  });
});
