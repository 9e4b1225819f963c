// The `thumbnail-pipeline:api` stack key: how every region's HTTP API is
// authorized and throttled. Parsed with the stack's Reader, so a typo in a
// key or value fails before any resource is touched, naming the key:
//
//   thumbnail-pipeline:api:
//     auth: iam                  # default; or jwt
//     jwt: { issuer: https://issuer.example.com/, audience: [thumbnails-api] }
//     openRoutes: []             # routes served WITHOUT authorization (e.g. "GET /images/{imageId}")
//     throttle: { rateLimit: 50, burstLimit: 100 }
//     concurrency: 5             # the api function's reserved concurrency (database connections)
//     browserOrigins: []         # sites whose pages call the API and upload from a browser (CORS)
import { API_ROUTES, type ApiRoute } from "../handlers/api/routes";
import type { Reader } from "./config";

export const API_AUTH_KINDS = ["iam", "jwt"] as const;
export type ApiAuthKind = (typeof API_AUTH_KINDS)[number];

export interface ApiStackConfig {
  auth: { kind: "iam" } | { kind: "jwt"; issuer: string; audience: string[] };
  /** Routes served without authorization, by the stack's explicit choice; none by default. */
  openRoutes: ApiRoute[];
  throttle: { rateLimit: number; burstLimit: number };
  /** Reserved concurrency of the api function, counted in the database connection budget. */
  concurrency: number;
  /**
   * Origins (`https://app.example.com`) whose pages call the API and post
   * uploads to the raw bucket from a browser: the API and the raw bucket
   * answer their CORS requests. None by default: servers need no CORS.
   */
  browserOrigins: string[];
}

/** The api function's concurrency when the stack does not say; each invocation holds one database connection. */
export const DEFAULT_API_CONCURRENCY = 5;
export const DEFAULT_API_CONFIG: ApiStackConfig = {
  auth: { kind: "iam" },
  openRoutes: [],
  throttle: { rateLimit: 50, burstLimit: 100 },
  concurrency: DEFAULT_API_CONCURRENCY,
  browserOrigins: [],
};

/** A browser origin: scheme, host, optional port, nothing else; plain http only for a developer's own machine. */
const BROWSER_ORIGIN = /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/;

export function parseApiConfig(r: Reader, value: unknown): ApiStackConfig {
  const raw = r.object("api", value) ?? {};
  r.unknownKeys("api", raw, ["auth", "jwt", "openRoutes", "throttle", "concurrency", "browserOrigins"]);
  const kind = r.oneOf("api.auth", raw.auth, API_AUTH_KINDS, "iam", "an API authorization kind") as ApiAuthKind;
  let auth: ApiStackConfig["auth"] = { kind: "iam" };
  const jwt = r.object("api.jwt", raw.jwt);
  if (kind === "jwt") {
    if (!jwt) {
      r.fail("api.jwt", raw.jwt, "is required when api.auth is jwt; expected { issuer: https://..., audience: [...] }");
    } else {
      r.unknownKeys("api.jwt", jwt, ["issuer", "audience"]);
      if (jwt.issuer === undefined)
        r.fail(
          "api.jwt.issuer",
          undefined,
          "is required; expected the token issuer's https URL, e.g. https://cognito-idp.eu-central-1.amazonaws.com/<pool id>",
        );
      const issuer = r.string("api.jwt.issuer", jwt.issuer, "", {
        re: /^https:\/\/[^\s/]+(\/\S*)?$/,
        expected: "is not an https URL; expected the token issuer, e.g. https://issuer.example.com/",
      }) as string;
      const list = r.array("api.jwt.audience", jwt.audience) ?? [];
      if (list.length === 0) r.fail("api.jwt.audience", jwt.audience, "is empty or missing; expected at least one audience (client id) tokens must carry");
      const audience = list.filter((a, i) => {
        const ok = typeof a === "string" && a.trim() !== "";
        if (!ok) r.fail(`api.jwt.audience[${i}]`, a, "is not a non-empty string");
        return ok;
      }) as string[];
      auth = { kind: "jwt", issuer, audience };
    }
  } else if (jwt) {
    r.fail("api.jwt", raw.jwt, 'is set but api.auth is not "jwt"; set api.auth: jwt to use it, or remove api.jwt');
  }
  const openRoutes: ApiRoute[] = [];
  (r.array("api.openRoutes", raw.openRoutes) ?? []).forEach((route, i) => {
    const known = r.oneOf(`api.openRoutes[${i}]`, route, API_ROUTES, undefined, "a route of the API");
    if (known !== undefined && !openRoutes.includes(known)) openRoutes.push(known);
  });
  const throttle = r.object("api.throttle", raw.throttle) ?? {};
  r.unknownKeys("api.throttle", throttle, ["rateLimit", "burstLimit"]);
  const rateLimit = r.integer("api.throttle.rateLimit", throttle.rateLimit, DEFAULT_API_CONFIG.throttle.rateLimit, {
    min: 1,
    max: 10_000,
    expected: "is out of range; expected requests per second from 1 to 10000",
  });
  const burstLimit = r.integer("api.throttle.burstLimit", throttle.burstLimit, Math.max(DEFAULT_API_CONFIG.throttle.burstLimit, rateLimit), {
    min: 1,
    max: 5_000,
    expected: "is out of range; expected a burst from 1 to 5000 requests",
  });
  if (burstLimit < rateLimit)
    r.fail("api.throttle.burstLimit", burstLimit, `is below api.throttle.rateLimit ${rateLimit}; expected a burst at least the steady rate`);
  const concurrency = r.integer("api.concurrency", raw.concurrency, DEFAULT_API_CONFIG.concurrency, {
    min: 1,
    max: 100,
    expected: "is out of range; expected the api function's reserved concurrency from 1 to 100 (each holds one database connection)",
  });
  const browserOrigins: string[] = [];
  (r.array("api.browserOrigins", raw.browserOrigins) ?? []).forEach((origin, i) => {
    const path = `api.browserOrigins[${i}]`;
    if (origin === "*")
      return r.fail(path, origin, "would let every site's pages use the API; name each origin that hosts your pages, e.g. https://app.example.com");
    if (typeof origin !== "string" || !BROWSER_ORIGIN.test(origin)) {
      const hint = typeof origin === "string" && /^https?:\/\/[^/]+\/.*$/.test(origin) ? ` (an origin has no path: ${new URL(origin).origin})` : "";
      return r.fail(path, origin, `is not a browser origin${hint}; expected https://host[:port], e.g. https://app.example.com (http only for localhost)`);
    }
    if (!browserOrigins.includes(origin)) browserOrigins.push(origin);
  });
  return { auth, openRoutes, throttle: { rateLimit, burstLimit }, concurrency, browserOrigins };
}
