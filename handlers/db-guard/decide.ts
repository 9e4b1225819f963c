// The pure connection decisions: utilization, the 5-of-5 rule the deployed
// alarm applies, and what to set max_connections to.
import type { ConnectionPolicy } from "./config";
import type { ConnectionSample } from "./measure";

export function utilization(sample: Pick<ConnectionSample, "active" | "max">): number {
  return sample.max > 0 ? sample.active / sample.max : 0;
}

/**
 * One reading above the threshold. This is what `pipectl db-guard` reports
 * when run by hand: an operator looking now wants to know about now. The
 * deployed guard does not act on one reading; the alarm applies the window
 * rule below.
 */
export function isBreach(sample: Pick<ConnectionSample, "active" | "max">, threshold: number): boolean {
  return utilization(sample) > threshold;
}

export interface WindowRule {
  /** Consecutive periods that must all be above the threshold (5). */
  periods: number;
  /** Period length in ms (one minute). */
  periodMs: number;
}

export const FIVE_OF_FIVE: WindowRule = { periods: 5, periodMs: 60_000 };

export type WindowVerdict = { breach: true; since: Date } | { breach: false; reason: string };

/**
 * The alarm's rule over a window of samples: the last `periods` samples are
 * all above the threshold and one period apart (a missing minute breaks the
 * run, as the alarm's missing data treated as not breaching does).
 */
export function evaluateWindow(samples: readonly ConnectionSample[], threshold: number, rule: WindowRule = FIVE_OF_FIVE): WindowVerdict {
  const sorted = [...samples].sort((a, b) => a.at.getTime() - b.at.getTime());
  const recent = sorted.slice(-rule.periods);
  if (recent.length < rule.periods) return { breach: false, reason: `${recent.length} of ${rule.periods} samples so far` };
  for (let i = 0; i < recent.length; i++) {
    if (!isBreach(recent[i], threshold)) {
      return { breach: false, reason: `sample at ${recent[i].at.toISOString()} is at ${utilization(recent[i]).toFixed(2)}, not above ${threshold}` };
    }
    // Allow half a period of scheduling jitter between consecutive samples.
    if (i > 0 && recent[i].at.getTime() - recent[i - 1].at.getTime() > rule.periodMs * 1.5) {
      return { breach: false, reason: `no sample between ${recent[i - 1].at.toISOString()} and ${recent[i].at.toISOString()}` };
    }
  }
  return { breach: true, since: recent[0].at };
}

export type ConnectionDecision =
  | { action: "raise"; fromMax: number; toMax: number; reason: string }
  | { action: "reboot-pending"; runningMax: number; pendingMax: number; reason: string }
  | { action: "at-ceiling"; runningMax: number; ceiling: number; reason: string };

/**
 * What to do about a breach. `configuredMax` is the parameter group's value
 * (undefined while it holds the engine default formula): when it is above the
 * running value, an earlier raise waits for a reboot and raising again would
 * change nothing that is in effect.
 */
export function decideConnections(runningMax: number, configuredMax: number | undefined, policy: ConnectionPolicy): ConnectionDecision {
  if (configuredMax !== undefined && configuredMax > runningMax) {
    return {
      action: "reboot-pending",
      runningMax,
      pendingMax: configuredMax,
      reason: `max_connections ${configuredMax} is set in the parameter group but the instance still runs with ${runningMax}: it needs a reboot`,
    };
  }
  if (runningMax >= policy.ceiling) {
    return {
      action: "at-ceiling",
      runningMax,
      ceiling: policy.ceiling,
      reason: `max_connections ${runningMax} is at the ceiling of ${policy.ceiling}; raising further needs a human`,
    };
  }
  const toMax = Math.min(runningMax + policy.step, policy.ceiling);
  return {
    action: "raise",
    fromMax: runningMax,
    toMax,
    reason: `utilization above ${policy.threshold}: +${toMax - runningMax} (step ${policy.step}, ceiling ${policy.ceiling})`,
  };
}

/** One reading judged by hand (`pipectl db-guard`): the fields its `--json` prints. */
export interface ReadingVerdict {
  active: number;
  total: number;
  max: number;
  utilization: number;
  threshold: number;
  /** A single reading above the threshold (see isBreach). */
  breach: boolean;
  /** The max_connections a remediation would set; null without a breach or when nothing can be raised. */
  proposedMaxConnections: number | null;
  /** What the remediation would do about the breach; null without one. */
  action: ConnectionDecision["action"] | null;
  reason: string;
}

export function judgeReading(sample: ConnectionSample, policy: ConnectionPolicy, configuredMax?: number): ReadingVerdict {
  const breach = isBreach(sample, policy.threshold);
  const decision = breach ? decideConnections(sample.max, configuredMax, policy) : undefined;
  const u = utilization(sample);
  return {
    active: sample.active,
    total: sample.total,
    max: sample.max,
    utilization: u,
    threshold: policy.threshold,
    breach,
    proposedMaxConnections: decision?.action === "raise" ? decision.toMax : null,
    action: decision?.action ?? null,
    reason: decision?.reason ?? `utilization ${u.toFixed(2)} is not above ${policy.threshold}`,
  };
}
