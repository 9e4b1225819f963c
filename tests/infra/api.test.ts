// The HTTP API of every region, as the program plans it: the routes the
// handler serves, authorized by IAM unless the stack configures a JWT
// authorizer, opened only by name; its access logs shipped and its alarms
// with runbooks; and the stack config refusing near misses.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { API_ROUTES } from "../../handlers/api/routes";
import { ConfigError, parseConfig } from "../../infra/config";
import { REPO_ROOT } from "../../toolchain/plan/plan-stack";
import type { PlanFile } from "../../toolchain/plan/plan-stack";
import { ofType, planWith, prop, stackPlan } from "./support/plans";

const minimal = { regions: [{ name: "us-east-1" }], alerts: { emails: ["oncall@example.com"] } };

function problems(raw: Record<string, unknown>): string[] {
  try {
    parseConfig("dev", { ...minimal, ...raw });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail("expected the config to be rejected");
}

const regionOf = (name: string) => name.split("-").slice(0, 3).join("-");

function routesByRegion(plan: PlanFile): Map<string, { routeKey: string; authorizationType: string; authorizerId?: unknown }[]> {
  const out = new Map<string, { routeKey: string; authorizationType: string; authorizerId?: unknown }[]>();
  for (const route of ofType(plan, "aws:apigatewayv2/route:Route")) {
    const list = out.get(regionOf(route.name)) ?? [];
    list.push({ routeKey: prop(route, "routeKey"), authorizationType: prop(route, "authorizationType"), authorizerId: route.props.authorizerId });
    out.set(regionOf(route.name), list);
  }
  return out;
}

describe("infra: the HTTP API per region", function () {
  this.timeout(180_000);

  it("serves exactly the handler's routes in every region, each with IAM authorization by default", async () => {
    const plan = await stackPlan("dev");
    const routes = routesByRegion(plan);
    assert.deepEqual([...routes.keys()].sort(), ["eu-central-1", "us-east-1"]);
    for (const [region, list] of routes) {
      assert.deepEqual(list.map((r) => r.routeKey).sort(), [...API_ROUTES].sort(), region);
      for (const route of list) assert.equal(route.authorizationType, "AWS_IAM", `${region} ${route.routeKey}`);
    }
  });

  it("ships the access logs like every log group, throttles the stage, and alarms on 5xx, latency and 4xx rate with runbooks", async () => {
    const plan = await stackPlan("dev");
    for (const region of ["us-east-1", "eu-central-1"]) {
      const stage = ofType(plan, "aws:apigatewayv2/stage:Stage").find((s) => s.name === `${region}-api-stage`);
      assert.ok(stage, region);
      assert.ok(prop<number>(stage, "defaultRouteSettings.throttlingRateLimit") > 0);
      const group = ofType(plan, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.name === `${region}-api-access-logs`);
      assert.ok(group, region);
      assert.match(
        prop<string>(stage, "accessLogSettings.destinationArn"),
        new RegExp(`:logs:${region}:\\d{12}:log-group:${prop<string>(group, "name")}$`),
        "access logs go to the API's log group",
      );
      const filter = ofType(plan, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter").find((f) => f.name === `${region}-api-access-log-shipping`);
      assert.ok(filter, `${region}: the access log group ships to the archive`);
      const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
        (a) => a.name.startsWith(`${region}-api-`) && !/-(errors|throttles|duration|memory|oom)-alarm$/.test(a.name),
      );
      assert.deepEqual(alarms.map((a) => a.name).sort(), [`${region}-api-4xx-alarm`, `${region}-api-5xx-alarm`, `${region}-api-latency-alarm`]);
      for (const alarm of alarms) {
        const page = /Runbook: \S+\/(api-[a-z0-9]+)\.md/.exec(prop<string>(alarm, "alarmDescription"))?.[1];
        assert.ok(page && existsSync(join(REPO_ROOT, "docs", "runbooks", `${page}.md`)), `${alarm.name} links a runbook that exists`);
      }
    }
  });

  it("uses the stack's JWT authorizer on every route, and leaves open only the routes openRoutes names", async () => {
    const plan = await planWith("dev", {
      config: { api: { auth: "jwt", jwt: { issuer: "https://issuer.example.com/", audience: ["thumbnails-app"] }, openRoutes: ["GET /images/{imageId}"] } },
    });
    const authorizers = ofType(plan, "aws:apigatewayv2/authorizer:Authorizer");
    assert.equal(authorizers.length, 2);
    assert.deepEqual(prop(authorizers[0], "jwtConfiguration"), { issuer: "https://issuer.example.com/", audiences: ["thumbnails-app"] });
    for (const [region, list] of routesByRegion(plan)) {
      const byKey = Object.fromEntries(list.map((r) => [r.routeKey, r.authorizationType]));
      assert.deepEqual(byKey, { "POST /uploads": "JWT", "GET /images/{imageId}": "NONE" }, region);
    }
  });

  it("answers the browser origins' CORS requests on the API and the raw bucket only when the stack names some", async () => {
    const origins = ["https://app.example.com", "http://localhost:5173"];
    const plan = await planWith("dev", { config: { api: { browserOrigins: origins } } });
    const apis = ofType(plan, "aws:apigatewayv2/api:Api");
    assert.equal(apis.length, 2);
    for (const api of apis) {
      const cors = prop<Record<string, unknown>>(api, "corsConfiguration");
      assert.deepEqual(cors.allowOrigins, origins, api.name);
      assert.deepEqual(cors.allowMethods, ["GET", "POST", "OPTIONS"]);
      assert.ok((cors.allowHeaders as string[]).includes("idempotency-key"), "browsers may send Idempotency-Key");
      assert.deepEqual(cors.exposeHeaders, ["etag", "location"]);
    }
    const rules = ofType(plan, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration");
    assert.equal(rules.length, 2, "one per region");
    for (const rule of rules) {
      const bucket = plan.resources.find((r) => r.urn === rule.propertyDependencies.bucket?.[0]);
      assert.match(bucket?.name ?? "", /-raw-bucket$/, `${rule.name} is on the raw bucket`);
      assert.deepEqual(prop(rule, "corsRules"), [
        { allowedMethods: ["POST"], allowedOrigins: origins, allowedHeaders: ["*"], exposeHeaders: ["ETag"], maxAgeSeconds: 600 },
      ]);
    }
    const plain = await stackPlan("dev");
    assert.equal(ofType(plain, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration").length, 0, "no CORS without origins");
    for (const api of ofType(plain, "aws:apigatewayv2/api:Api")) assert.equal(api.props.corsConfiguration, undefined);
  });

  it("refuses near misses and incomplete API settings, naming the key", () => {
    assert.match(problems({ api: { browserOrigins: ["*"] } }).join("\n"), /api\.browserOrigins\[0\]: "\*" would let every site's pages use the API/);
    assert.match(
      problems({ api: { browserOrigins: ["https://app.example.com/upload"] } }).join("\n"),
      /api\.browserOrigins\[0\]: "https:\/\/app\.example\.com\/upload" is not a browser origin \(an origin has no path: https:\/\/app\.example\.com\)/,
    );
    assert.match(
      problems({ api: { browserOrigins: ["http://app.example.com"] } }).join("\n"),
      /is not a browser origin; expected https:\/\/host\[:port\].*http only for localhost/,
    );
    assert.match(problems({ api: { browserOrigin: [] } }).join("\n"), /api\.browserOrigin: is not a known key.*did you mean "browserOrigins"/);
    assert.match(problems({ api: { auth: "jwtt" } }).join("\n"), /thumbnail-pipeline:api\.auth: "jwtt" is not an API authorization kind.*did you mean "jwt"/);
    assert.match(problems({ api: { auth: "jwt" } }).join("\n"), /thumbnail-pipeline:api\.jwt: \(missing\) is required when api\.auth is jwt/);
    assert.match(
      problems({ api: { auth: "jwt", jwt: { issuer: "http://x", audience: [] } } }).join("\n"),
      /api\.jwt\.issuer: "http:\/\/x" is not an https URL[\s\S]*api\.jwt\.audience/,
    );
    assert.match(
      problems({ api: { openRoutes: ["GET /image/{imageId}"] } }).join("\n"),
      /api\.openRoutes\[0\]: "GET \/image\/\{imageId\}" is not a route of the API.*did you mean "GET \/images\/\{imageId\}"/,
    );
    assert.match(problems({ api: { jwt: { issuer: "https://x/" } } }).join("\n"), /api\.jwt: .* is set but api\.auth is not "jwt"/);
    assert.match(problems({ api: { throtle: {} } }).join("\n"), /api\.throtle: is not a known key.*did you mean "throttle"/);
  });
});
