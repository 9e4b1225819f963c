// api-route-authorization: no API Gateway route is served to anyone on the
// internet by accident. An HTTP API route must name an authorization
// (AWS_IAM, JWT, CUSTOM), and so must a REST API method (AWS_IAM, CUSTOM,
// COGNITO_USER_POOLS); NONE (or none given, which AWS takes as NONE) only for
// the route keys the pack config lists, or under a waiver. An API key is not
// authorization (AWS says not to use one for it). A REST API's OPTIONS
// method on a MOCK integration is a CORS preflight, which browsers send
// without credentials, so it may stay open. Methods defined only inside a
// RestApi's OpenAPI `body` are not seen.
import { stackPolicy, type PolicySpec } from "./support/define";
import type { PolicyResource } from "@pulumi/policy";
import { str } from "./support/props";
import { T, type StackIndex } from "./support/resources";

export interface ApiRouteAuthorizationConfig {
  /** Route keys (e.g. "GET /health") that may be served without authorization, in any API of the stack. */
  openRoutes?: string[];
}

export const apiRouteAuthorizationSpec: PolicySpec = {
  name: "api-route-authorization",
  description:
    'Every API Gateway HTTP API route and REST API method requires authorization (AWS_IAM, JWT, Cognito or a Lambda authorizer); one with NONE is refused unless the pack config\'s openRoutes lists its route key ("GET /health"); a REST OPTIONS method on a MOCK integration (a CORS preflight) may stay open.',
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Set the route's authorizationType (a REST method's authorization) to AWS_IAM, or JWT/CUSTOM/COGNITO_USER_POOLS with an authorizerId; if it is meant to be public, list its route key in this policy's openRoutes (or waive it with a reason and an expiry).",
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
  for (const method of stack.ofType(T.restMethod)) {
    const read = ctx.inspect(method, () => ({
      httpMethod: str(method.props.httpMethod) ?? "ANY",
      authorization: str(method.props.authorization) ?? "NONE",
    }));
    if (read === undefined || read.authorization !== "NONE") continue;
    const routeKey = `${read.httpMethod} ${restPath(stack, method)}`;
    if (open.has(routeKey) || (read.httpMethod === "OPTIONS" && isMockIntegrated(stack, method))) continue;
    const api = stack.dependenciesOf(method, "restApi").find((d) => d.type === T.restApi);
    ctx.report(
      method,
      `${stack.regionLabel(method)}: method "${routeKey}" of ${api ? `REST API ${api.name}` : "a REST API"} has authorization NONE: anyone who finds the URL can call it; require AWS_IAM, Cognito or a Lambda authorizer, or list "${routeKey}" in openRoutes`,
    );
  }
});

/**
 * A REST API method's path, from its resource's pathParts up to the API's
 * root ("/"). Where the chain leaves the program (an id given as a literal),
 * the part read is shown after "…/", never passed off as the whole path.
 */
function restPath(stack: StackIndex, method: PolicyResource): string {
  const segments: string[] = [];
  const up = (r: PolicyResource, key: string) => stack.dependenciesOf(r, key).find((d) => d.type === T.restResource || d.type === T.restApi);
  let current = up(method, "resourceId");
  for (let depth = 0; current?.type === T.restResource && depth < 50; depth++) {
    const part = str(current.props.pathPart);
    if (part === undefined) break;
    segments.unshift(part);
    current = up(current, "parentId");
  }
  if (current?.type === T.restApi) return `/${segments.join("/")}`;
  return segments.length > 0 ? `…/${segments.join("/")}` : "(unknown path)";
}

/** Whether the method's integration (same resource, same HTTP method) is a MOCK one, as a CORS preflight's is. */
function isMockIntegrated(stack: StackIndex, method: PolicyResource): boolean {
  const resourceOf = (r: PolicyResource) => stack.dependenciesOf(r, "resourceId")[0]?.urn;
  return stack
    .ofType(T.restIntegration)
    .some((i) => resourceOf(i) === resourceOf(method) && str(i.props.httpMethod) === str(method.props.httpMethod) && str(i.props.type) === "MOCK");
}
