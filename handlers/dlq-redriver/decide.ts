// What the redriver does, decided without any AWS call. Pure.
//
// Dead letters go back to the source queue only while the canary passes:
// before that the cause (an outage, a bad deploy) is still there and they
// would only dead-letter again. Each message carries how many times it was
// sent back (a message attribute that survives the move to the DLQ); past
// maxRedrives it stays where it is and a person is asked to look, through a
// ticket, since what fails that often is no longer a passing fault.

/** The message attribute counting redrives; kept by SQS when it dead-letters the message again. */
export const REDRIVE_COUNT_ATTRIBUTE = "redrive-count";

export type CanaryState = "OK" | "ALARM" | "INSUFFICIENT_DATA" | "missing";

export type RunDecision = { kind: "redrive" } | { kind: "wait"; reason: string };

export function decideRun(canary: CanaryState): RunDecision {
  if (canary === "OK") return { kind: "redrive" };
  return {
    kind: "wait",
    reason:
      canary === "missing"
        ? "the canary alarm does not exist; without it there is no sign the cause has gone"
        : `the canary alarm is ${canary}: the cause may still be there, so dead letters wait for it to pass`,
  };
}

/** The redrive count a message arrived with; anything unreadable counts as none. */
export function redriveCountOf(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export type MessageDecision = { kind: "move"; nextCount: number } | { kind: "give-up"; count: number };

export function decideMessage(count: number, maxRedrives: number): MessageDecision {
  return count < maxRedrives ? { kind: "move", nextCount: count + 1 } : { kind: "give-up", count };
}
