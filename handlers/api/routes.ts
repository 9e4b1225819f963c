// The API's routes: the program creates exactly these API Gateway routes, the
// handler dispatches on them, the OpenAPI document describes them.
export const UPLOADS_ROUTE = "POST /uploads";
export const IMAGE_STATUS_ROUTE = "GET /images/{imageId}";
export const API_ROUTES = [UPLOADS_ROUTE, IMAGE_STATUS_ROUTE] as const;
export type ApiRoute = (typeof API_ROUTES)[number];

/** The route a method and path are for (local servers, which have no route keys), with its path parameters. */
export function matchRoute(method: string, path: string): { route: ApiRoute; params: Record<string, string> } | undefined {
  if (method === "POST" && path === "/uploads") return { route: UPLOADS_ROUTE, params: {} };
  const image = /^\/images\/([^/]+)$/.exec(path);
  if (method === "GET" && image) return { route: IMAGE_STATUS_ROUTE, params: { imageId: decodeURIComponent(image[1]) } };
  return undefined;
}
