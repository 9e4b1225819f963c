// api-route-authorization on this program's real plan: every route of both
// regions passes; removing the authorizer from one route in one region blocks,
// naming the route and the region; the pack config can open it by route key.
import { strict as assert } from "node:assert";
import { apiRouteAuthorization } from "../../policies/api";
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
