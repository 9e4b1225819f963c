// The pure memory decision: no AWS here, so every rule is tested on its own.
//
// Cooldown reference ("when did this function's memory last change?"):
// the floor parameter's LastModifiedDate is written only after one of our
// raises completed. While the function's memory equals the recorded floor,
// that date is the last raise. When they differ, a change happened that the
// floor does not (yet) record: another invocation's raise between its
// UpdateFunctionConfiguration and its PutParameter, or a human's change. The
// function's own LastModified is updated atomically with that change, so it
// is then the reference. Reading both closes the window in which two
// concurrent events could each raise once.

export interface FunctionMemoryState {
  memoryMb: number;
  revisionId: string;
  /** Function configuration LastModified. */
  lastModified: Date;
}

export interface MemoryFloorRecord {
  floorMb: number;
  /** Parameter LastModifiedDate: when the floor was last written. */
  recordedAt: Date;
}

export interface MemoryPolicy {
  stepMb: number;
  capMb: number;
  cooldownSeconds: number;
}

export type MemoryDecision =
  | { action: "raise"; fromMb: number; toMb: number; reason: string }
  | { action: "cooldown"; memoryMb: number; lastChangeAt: Date; until: Date; reason: string }
  | { action: "at-cap"; memoryMb: number; capMb: number; reason: string };

/** The latest time the function's memory may have changed (see the file comment). */
export function lastMemoryChange(state: FunctionMemoryState, floor: MemoryFloorRecord | undefined): Date {
  if (floor === undefined) return state.lastModified;
  if (floor.floorMb !== state.memoryMb) {
    return state.lastModified > floor.recordedAt ? state.lastModified : floor.recordedAt;
  }
  return floor.recordedAt;
}

export function decideMemory(state: FunctionMemoryState, floor: MemoryFloorRecord | undefined, policy: MemoryPolicy, now: Date): MemoryDecision {
  const changedAt = lastMemoryChange(state, floor);
  const until = new Date(changedAt.getTime() + policy.cooldownSeconds * 1000);
  // A change inside the cooldown is still being tried out: wait for its effect,
  // even at the cap (a raise to the cap may be what fixes it).
  if (now < until) {
    return {
      action: "cooldown",
      memoryMb: state.memoryMb,
      lastChangeAt: changedAt,
      until,
      reason: `memory last changed at ${changedAt.toISOString()}; cooldown of ${policy.cooldownSeconds}s runs until ${until.toISOString()}`,
    };
  }
  if (state.memoryMb >= policy.capMb) {
    return {
      action: "at-cap",
      memoryMb: state.memoryMb,
      capMb: policy.capMb,
      reason: `memory ${state.memoryMb} MB is at the cap of ${policy.capMb} MB; raising further needs a human`,
    };
  }
  const toMb = Math.min(state.memoryMb + policy.stepMb, policy.capMb);
  return {
    action: "raise",
    fromMb: state.memoryMb,
    toMb,
    reason: `out of memory at ${state.memoryMb} MB: +${toMb - state.memoryMb} MB (step ${policy.stepMb}, cap ${policy.capMb})`,
  };
}
