// api-route-authorization: no API Gateway HTTP API route is served to anyone
// on the internet by accident. A route must name an authorization (AWS_IAM,
// JWT, CUSTOM); NONE (or no authorizationType, which AWS takes as NONE) only
// for the route keys the pack config lists, or under a waiver.
import { stackPolicy, type PolicySpec } from "./support/define";
import { str } from "./support/props";
import { T } from "./support/resources";

export interface ApiRouteAuthorizationConfig {
  /** Route keys (e.g. "GET /health") that may be served without authorization, in any API of the stack. */
  openRoutes?: string[];
}

export const apiRouteAuthorizationSpec: PolicySpec = {
  name: "api-route-authorization",
  description:
    "Every API Gateway HTTP API route requires authorization (AWS_IAM, JWT or a Lambda authorizer); a route with authorizationType NONE is refused unless the pack config's openRoutes lists its route key.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Set the route's authorizationType to AWS_IAM, or JWT with an authorizerId; if the route is meant to be public, list its route key in this policy's openRoutes (or waive it with a reason and an expiry).",
  config: {
    openRoutes: { type: "array", items: { type: "string", minLength: 1 }, description: 'route keys served without authorization, e.g. "GET /health"' },
  },
};

export const apiRouteAuthorization = stackPolicy<ApiRouteAuthorizationConfig>(apiRouteAuthorizationSpec, (stack, ctx, config) => {
  const open = new Set(config.openRoutes ?? []);
  for (const route of stack.ofType(T.httpRoute)) {
    const read = ctx.inspect(route, () => ({
      routeKey: str(route.props.routeKey) ?? "(no route key)",
      authorization: str(route.props.authorizationType) ?? "NONE",
    }));
    if (read === undefined || read.authorization !== "NONE" || open.has(read.routeKey)) continue;
    const api = stack.dependenciesOf(route, "apiId").find((d) => d.type === T.httpApi);
    ctx.report(
      route,
      `${stack.regionLabel(route)}: route "${read.routeKey}" of ${api ? `HTTP API ${api.name}` : "an HTTP API"} has authorizationType NONE: anyone who finds the URL can call it; require AWS_IAM or a JWT authorizer, or list "${read.routeKey}" in openRoutes`,
    );
  }
});
