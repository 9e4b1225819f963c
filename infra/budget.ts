// Pure decisions the program makes from config and the floors the automation
// recorded: memory per function, max_connections, the connection budget and
// queue visibility. No Pulumi here, so each rule is tested on its own.
// The share of max_connections and the pool size are the contracts' (contracts/).
import { DATABASE_FUNCTIONS, MAX_CONNECTIONS_SHARE, POOL_SIZE, type FunctionName } from "../contracts";
import { DEFAULT_API_CONCURRENCY } from "./api-config";

/** AWS minimum for an SQS event source's maximumConcurrency. */
export const MIN_SQS_MAX_CONCURRENCY = 2;
/** SQS visibility must outlast every retry of a batch: AWS recommends 6x the function timeout. */
export const VISIBILITY_FACTOR = 6;

/** Database users whose concurrency is configured rather than one: thumbnails (what is left) and api (api.concurrency). */
const SCALED_DB_FUNCTIONS: readonly FunctionName[] = ["thumbnails", "api"];
/** Reserved concurrency of the other database users: one each is all they need. */
export const SINGLETON_DB_FUNCTIONS: readonly FunctionName[] = DATABASE_FUNCTIONS.filter((f) => !SCALED_DB_FUNCTIONS.includes(f));
export { DEFAULT_API_CONCURRENCY };

/** Memory = max(configured, floor the OOM remediator recorded), never above the remediation cap. */
export function resolveMemory(configuredMb: number, floorMb: number | undefined, capMb: number): number {
  return Math.min(capMb, Math.max(configuredMb, floorMb ?? 0));
}

/** max_connections = max(configured, floor db-guard recorded), never above the ceiling. */
export function resolveMaxConnections(configured: number, floor: number | undefined, ceiling: number): number {
  return Math.min(ceiling, Math.max(configured, floor ?? 0));
}

export interface ConnectionBudget {
  maxConnections: number;
  /** floor(80% of max_connections): what all functions together may hold. */
  budget: number;
  /** Concurrency per database function; thumbnails gets what the singletons and the api leave. */
  concurrency: Record<string, number>;
  /** Sum of concurrency x pool size; always <= budget. */
  used: number;
}

export function connectionBudget(maxConnections: number, thumbnailsCap?: number, apiConcurrency: number = DEFAULT_API_CONCURRENCY): ConnectionBudget {
  const budget = Math.floor(maxConnections * MAX_CONNECTIONS_SHARE);
  const concurrency: Record<string, number> = {};
  for (const fn of SINGLETON_DB_FUNCTIONS) concurrency[fn] = 1;
  concurrency.api = apiConcurrency;
  const others = (SINGLETON_DB_FUNCTIONS.length + apiConcurrency) * POOL_SIZE;
  const available = Math.floor((budget - others) / POOL_SIZE);
  if (available < MIN_SQS_MAX_CONCURRENCY) {
    throw new Error(
      `max_connections ${maxConnections} leaves ${available} connections for thumbnails after ${others} for ${SINGLETON_DB_FUNCTIONS.join(", ")} and api (${apiConcurrency}); ` +
        `expected at least ${MIN_SQS_MAX_CONCURRENCY}: raise database.maxConnections`,
    );
  }
  concurrency.thumbnails = thumbnailsCap === undefined ? available : Math.min(thumbnailsCap, available);
  const used = Object.values(concurrency).reduce((a, b) => a + b * POOL_SIZE, 0);
  return { maxConnections, budget, concurrency, used };
}

export function visibilityTimeoutSeconds(functionTimeoutSeconds: number): number {
  return Math.max(30, VISIBILITY_FACTOR * functionTimeoutSeconds);
}

/**
 * Reads integer floors from an SSM getParametersByPath result: the key is the
 * last path segment. Values that are not positive integers are reported, not used.
 */
export function floorsFromParameters(names: readonly string[], values: readonly string[]): { floors: Map<string, number>; ignored: string[] } {
  const floors = new Map<string, number>();
  const ignored: string[] = [];
  names.forEach((name, i) => {
    const key = name.slice(name.lastIndexOf("/") + 1);
    const value = Number(values[i]);
    if (Number.isInteger(value) && value > 0) floors.set(key, value);
    else ignored.push(`${name}=${JSON.stringify(values[i])}`);
  });
  return { floors, ignored };
}

/** Memory floors by Lambda function name, and db-guard's max_connections floor, as the automation recorded them in SSM. */
export interface RegionFloors {
  memoryMb: Map<string, number>;
  maxConnections?: number;
}

export interface RegionDecisions {
  /** Memory per function: configured, or the OOM remediator's higher floor, within the cap. */
  memoryMb: Record<FunctionName, number>;
  /** Deploy-time max_connections: configured, or db-guard's higher floor, within the ceiling. */
  maxConnections: number;
  budget: ConnectionBudget;
  /** Floors the decisions could not keep, to tell the operator. */
  warnings: string[];
}

/**
 * The floor decisions of one region: memory keeps what the OOM remediator
 * raised, max_connections what db-guard raised, and the connection budget
 * follows from the latter.
 */
export function decideRegion(
  settings: {
    memoryMb: Record<FunctionName, number>;
    memoryCapMb: number;
    maxConnections: number;
    connectionCeiling: number;
    thumbnailsMaxConcurrency?: number;
    apiConcurrency?: number;
  },
  lambdaNameOf: (fn: FunctionName) => string,
  floors: RegionFloors,
): RegionDecisions {
  const memoryMb = {} as Record<FunctionName, number>;
  const warnings: string[] = [];
  for (const fn of Object.keys(settings.memoryMb) as FunctionName[]) {
    const floor = floors.memoryMb.get(lambdaNameOf(fn));
    memoryMb[fn] = resolveMemory(settings.memoryMb[fn], floor, settings.memoryCapMb);
    if (floor !== undefined && floor > settings.memoryCapMb)
      warnings.push(`memory floor ${floor} MB of ${fn} is above the remediation cap; using ${settings.memoryCapMb} MB`);
  }
  const maxConnections = resolveMaxConnections(settings.maxConnections, floors.maxConnections, settings.connectionCeiling);
  return { memoryMb, maxConnections, budget: connectionBudget(maxConnections, settings.thumbnailsMaxConcurrency, settings.apiConcurrency), warnings };
}
