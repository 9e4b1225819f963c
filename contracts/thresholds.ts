// Numbers the program deploys and the handlers act on: shares, steps, caps
// and windows of the self-healing (seeds/toil-automation: +128 MB per OOM up
// to 1024 MB; more than 80% of max_connections for 5 minutes -> +10 up to
// 200). The program writes the stack's values into each function's
// environment; these are the defaults of both.

/**
 * Share of max_connections the functions may hold at full concurrency, and
 * the utilization above which db-guard's alarm counts a minute as a breach:
 * the rest is headroom for humans and RDS.
 */
export const MAX_CONNECTIONS_SHARE = 0.8;

/** Share of a function's timeout, and of its memory, above which it is close to failing (duration and memory alarms). */
export const NEAR_LIMIT_SHARE = 0.8;

/** db-guard's window: a breach is 5 consecutive one-minute periods above the share (the alarm's rule and the guard's). */
export const CONNECTION_WINDOW = { periodSeconds: 60, periods: 5 } as const;

/** db-guard raises max_connections by this much per breach, never above the ceiling. */
export const CONNECTION_STEP = 10;
export const CONNECTION_CEILING = 200;

/** oom-remediator raises memory by this much per OOM, never above the cap, and waits this long before raising again. */
export const MEMORY_STEP_MB = 128;
export const MEMORY_CAP_MB = 1024;
export const REMEDIATION_COOLDOWN_SECONDS = 600;

/** Lambda's memory range (MB). */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;

/** dlq-redriver: times one message goes back before a ticket instead, and messages moved per run at most. */
export const MAX_REDRIVES = 3;
export const MAX_MESSAGES_PER_RUN = 1000;

/** The canary's whole check must end within this, well inside its function's timeout. */
export const CANARY_TIMEOUT_SECONDS = 120;

/** The HTTP API's alarms: p99 latency above this (ms) for 5 minutes pages; the handler answers in tens of milliseconds. */
export const API_LATENCY_P99_MS = 2_000;
/** Share of requests answered 4xx over 15 minutes above which callers are likely broken (auth, bad requests). */
export const API_4XX_RATE = 0.25;
/** 5xx answers in 5 minutes that page: any server error is one an app developer saw. */
export const API_5XX_THRESHOLD = 0;
