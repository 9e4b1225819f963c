// The EventBridge side of result events: PutEvents on the region's bus,
// per-entry errors read from the answer (a call can half succeed).
import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { PUT_EVENTS_MAX_ENTRIES, RESULT_EVENT_SOURCE, type EventSink } from "./result-events";

export function eventBridgeSink(client: EventBridgeClient, busName: string): EventSink {
  return async (events) => {
    if (events.length > PUT_EVENTS_MAX_ENTRIES) throw new Error(`PutEvents takes at most ${PUT_EVENTS_MAX_ENTRIES} entries, got ${events.length}`);
    const answer = await client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: busName,
          Source: RESULT_EVENT_SOURCE,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
        })),
      }),
    );
    const entries = answer.Entries ?? [];
    return events.map((_, i) => {
      const entry = entries[i];
      if (entry === undefined) return "PutEvents returned no entry for this event";
      return entry.ErrorCode ? `${entry.ErrorCode}: ${entry.ErrorMessage ?? ""}` : undefined;
    });
  };
}
