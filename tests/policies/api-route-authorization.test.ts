// api-route-authorization on this program's real plan: every route of both
// regions passes; removing the authorizer from one route in one region blocks,
// naming the route and the region; the pack config can open it by route key.
// And on another team's REST API (a fixture program planned as `check
// --program` plans it): methods are judged the same way, by their path.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { apiRouteAuthorization } from "../../policies/api";
import { planProgram } from "../../toolchain/plan/plan-program";
import type { PlanFile, PlanResource } from "../../toolchain/plan/plan-stack";
import { stackPlan } from "../infra/support/plans";
import { withResource } from "./fixture";
import { blocking, runPolicy } from "./harness";

describe("api-route-authorization on the dev plan", function () {
  this.timeout(180_000);

  it("passes the program as planned, blocks a route without authorization naming it and its region, and accepts it when configured open", async () => {
    const plan = await stackPlan("dev");
    assert.deepEqual(blocking(await runPolicy(apiRouteAuthorization, plan, {})), []);
    const opened = withResource(plan, "eu-central-1-api-route-get-images-imageid", (r) => {
      r.props.authorizationType = "NONE";
    });
    const found = blocking(await runPolicy(apiRouteAuthorization, opened, {}));
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^eu-central-1: route "GET \/images\/\{imageId\}" of HTTP API eu-central-1-api has authorizationType NONE/);
    const unset = withResource(plan, "us-east-1-api-route-post-uploads", (r) => {
      delete r.props.authorizationType;
    });
    assert.match(blocking(await runPolicy(apiRouteAuthorization, unset, {}))[0]?.message ?? "", /us-east-1: route "POST \/uploads"/);
    assert.deepEqual(blocking(await runPolicy(apiRouteAuthorization, opened, { openRoutes: ["GET /images/{imageId}"] })), []);
  });
});

const REST_PROGRAM = join(__dirname, "..", "toolchain", "check", "fixtures", "programs", "api-gateway-lambda-hardened");
const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";

/** A copy of the plan with one resource (by type and name) changed in its inputs and its state alike. */
function changed(plan: PlanFile, type: string, name: string, change: (props: PlanResource["props"]) => void): PlanFile {
  const copy = structuredClone(plan);
  const r = copy.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`the program has no ${type} ${name}`);
  change(r.props);
  if (r.outputs) change(r.outputs);
  return copy;
}

describe("api-route-authorization on another team's REST API", function () {
  this.timeout(180_000);
  let plan: PlanFile;
  before(async () => {
    plan = (await planProgram(REST_PROGRAM, "dev")).plan;
  });

  it("passes IAM-authorized methods and a MOCK-answered CORS preflight", async () => {
    assert.ok(plan.resources.some((r) => r.type === METHOD && r.props.httpMethod === "OPTIONS" && r.props.authorization === "NONE"));
    assert.deepEqual(blocking(await runPolicy(apiRouteAuthorization, plan, {})), []);
  });

  it("blocks an open method, naming its whole path, the API and the region, unless openRoutes lists it", async () => {
    const opened = changed(plan, METHOD, "get-quote-by-id", (p) => {
      p.authorization = "NONE";
    });
    const found = blocking(await runPolicy(apiRouteAuthorization, opened, {}));
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^us-west-2: method "GET \/quote\/\{id\}" of REST API quotes-api has authorization NONE/);
    assert.deepEqual(blocking(await runPolicy(apiRouteAuthorization, opened, { openRoutes: ["GET /quote/{id}"] })), []);
    // A parent given by literal id (outside the program): the path read is shown as a part, not as the whole.
    const detached = structuredClone(opened);
    const byId = detached.resources.find((r) => r.type === "aws:apigateway/resource:Resource" && r.name === "quote-by-id");
    assert.ok(byId);
    byId.propertyDependencies.parentId = [];
    byId.dependencies = byId.dependencies.filter((urn) => !urn.endsWith("::quote"));
    assert.match(blocking(await runPolicy(apiRouteAuthorization, detached, {}))[0]?.message ?? "", /method "GET …\/\{id\}" of REST API quotes-api/);
  });

  it("blocks an open OPTIONS method that reaches code, not a MOCK answer", async () => {
    const proxied = changed(plan, INTEGRATION, "quote-preflight", (p) => {
      p.type = "AWS_PROXY";
    });
    const found = blocking(await runPolicy(apiRouteAuthorization, proxied, {}));
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^us-west-2: method "OPTIONS \/quote" of REST API quotes-api/);
  });
});
