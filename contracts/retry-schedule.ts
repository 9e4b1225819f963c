// How long a message that failed transiently stays hidden before SQS hands it
// out again: the one schedule the Pulumi program (queue redrive policy, the
// outage-tolerance check, the function's environment) and the thumbnails
// handler (ChangeMessageVisibility) share. Pure.
//
// After its n-th failed receive a message is hidden for base x 2^(n-1)
// seconds, capped at SQS's 12-hour visibility limit. With maxReceiveCount M
// the M-th (last) attempt comes sum(k=1..M-1) of those delays after the first
// failure, so an outage shorter than that, counted from the moment a message
// first failed, ends with the message processed rather than dead-lettered.
// docs/operations.md works the deployed numbers through.
import { wholeNumber, type Env } from "./env";

/** SQS refuses a visibility timeout above 12 hours. */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export interface RetrySchedule {
  /** Visibility after the first failed receive, in seconds. */
  baseSeconds: number;
  /** Receives before SQS moves the message to the DLQ (the queue's redrive policy). */
  maxReceiveCount: number;
}

/** The deployed defaults: 30 s doubling over 8 receives survives a 63-minute outage. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseSeconds: 30, maxReceiveCount: 8 };

/** Seconds to hide a message after its `receiveCount`-th failed receive (1-based). */
export function retryDelaySeconds(receiveCount: number, baseSeconds: number): number {
  const n = Math.max(1, Math.floor(receiveCount));
  // 2^(n-1) overflows to Infinity long before it matters; the cap applies either way.
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.max(1, Math.round(baseSeconds)) * 2 ** (n - 1));
}

/**
 * The longest outage, counted from a message's first failed attempt, that
 * still leaves it a last attempt after the outage: the delays before
 * attempts 2..M.
 */
export function survivableOutageSeconds(schedule: RetrySchedule): number {
  let total = 0;
  for (let n = 1; n < schedule.maxReceiveCount; n++) total += retryDelaySeconds(n, schedule.baseSeconds);
  return total;
}

/** From the first failure to the DLQ when every attempt fails: every delay, the last one included. */
export function secondsUntilDeadLetter(schedule: RetrySchedule): number {
  return survivableOutageSeconds(schedule) + retryDelaySeconds(schedule.maxReceiveCount, schedule.baseSeconds);
}

/** The thumbnails function's base delay; the redrive policy's maxReceiveCount is the queue's, not the function's. */
export const RETRY_BASE_SECONDS = wholeNumber(
  "RETRY_BASE_SECONDS",
  "seconds a transiently failed message is held back after its first failure, doubling per receive (the queue's redrive policy was checked against it)",
  DEFAULT_RETRY_SCHEDULE.baseSeconds,
  { min: 1, max: SQS_MAX_VISIBILITY_SECONDS },
);

export const RETRY_BASE_SECONDS_VARIABLE = RETRY_BASE_SECONDS.name;

/** The handler's side: the base delay from its environment, the deployed default when unset. */
export function retryBaseSecondsFromEnv(env: Env): number {
  return RETRY_BASE_SECONDS.read(env);
}
