// EventBridge "CloudWatch Alarm State Change" events, as CloudWatch documents
// them: the alarm name and new state live under `detail`.
export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmStateChange {
  alarmName: string;
  alarmArn: string | undefined;
  state: AlarmStateValue;
  previousState: AlarmStateValue | undefined;
  reason: string;
  /** When the alarm changed state (event time when the detail lacks one). */
  at: Date;
  region: string | undefined;
}

const STATES: readonly string[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when the event is an alarm state change (as opposed to a schedule or anything else). */
export function isAlarmStateChange(event: unknown): boolean {
  return isRecord(event) && event["detail-type"] === "CloudWatch Alarm State Change";
}

/** Parses an alarm state change event; throws naming what is missing. */
export function parseAlarmStateChange(event: unknown): AlarmStateChange {
  if (!isAlarmStateChange(event) || !isRecord(event)) {
    throw new Error('expected an EventBridge event with detail-type "CloudWatch Alarm State Change"');
  }
  const detail = event.detail;
  if (!isRecord(detail)) throw new Error("alarm state change event has no detail object");
  const alarmName = detail.alarmName;
  if (typeof alarmName !== "string" || alarmName === "") throw new Error("alarm state change event has no detail.alarmName");
  const state = isRecord(detail.state) ? detail.state : undefined;
  const value = state?.value;
  if (typeof value !== "string" || !STATES.includes(value)) {
    throw new Error(`alarm ${alarmName}: detail.state.value must be one of ${STATES.join(", ")}, got ${JSON.stringify(value)}`);
  }
  const prev = isRecord(detail.previousState) ? detail.previousState.value : undefined;
  const timestamp = typeof state?.timestamp === "string" ? state.timestamp : typeof event.time === "string" ? event.time : undefined;
  const at = timestamp === undefined ? new Date(Number.NaN) : new Date(timestamp);
  const resources = Array.isArray(event.resources) ? event.resources : [];
  return {
    alarmName,
    alarmArn: typeof resources[0] === "string" ? resources[0] : undefined,
    state: value as AlarmStateValue,
    previousState: typeof prev === "string" && STATES.includes(prev) ? (prev as AlarmStateValue) : undefined,
    reason: typeof state?.reason === "string" ? state.reason : "",
    at,
    region: typeof event.region === "string" ? event.region : undefined,
  };
}
