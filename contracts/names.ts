// Names outside the code that several parts read: tag keys, SSM parameters
// and the canary's key prefix.

/** Tags the program puts on resources; `function` carries the manifest key the pack's grants refer to. */
export const TAGS = {
  stack: "pipeline:stack",
  managedBy: "pipeline:managed-by",
  region: "pipeline:region",
  role: "pipeline:role",
  residency: "pipeline:residency",
  function: "pipeline:function",
  bundleHash: "pipeline:bundle-hash",
  commit: "pipeline:commit",
  logSources: "pipeline:log-sources",
} as const;

/** Every SSM parameter of one stack's region lives under this path. */
export function ssmRoot(stack: string, region: string): string {
  return `/thumbnail-pipeline/${stack}/${region}`;
}

/** Prefix of the memory floors oom-remediator records; the floor of Lambda function F is `<prefix><F>`, in MB. */
export function memoryFloorPrefix(stack: string, region: string): string {
  return `${ssmRoot(stack, region)}/memory-floor/`;
}

/** `<prefix><function>`: the prefix carries its own trailing slash. */
export function memoryFloorParameter(prefix: string, lambdaFunctionName: string): string {
  return `${prefix}${lambdaFunctionName}`;
}

/** The last segment of the max_connections floor's name (floors are read by path, keyed by it). */
export const MAX_CONNECTIONS_FLOOR_KEY = "max-connections-floor";

/** The max_connections floor db-guard records, an integer. */
export function maxConnectionsFloorParameter(stack: string, region: string): string {
  return `${ssmRoot(stack, region)}/${MAX_CONNECTIONS_FLOOR_KEY}`;
}

/** Raw and thumbnail keys of the canary's synthetic uploads (lifecycle rules expire leftovers). */
export const CANARY_PREFIX = "canary/";
