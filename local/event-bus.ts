// The region's event bus on this machine: result events land here in the
// envelope EventBridge delivers to a rule's target, are listed at GET /events
// of the local API, and are POSTed to a webhook when one is given. A webhook
// that fails or answers non-2xx leaves the event owed, so it is sent again,
// as a bus that refused PutEvents would.
import { randomUUID } from "node:crypto";
import { RESULT_EVENT_SOURCE, type EventSink, type ResultEvent } from "../handlers/shared/result-events";

/** The envelope EventBridge hands to targets. */
export interface BusEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: ResultEvent["detail"];
}

export interface LocalEventBus {
  sink: EventSink;
  events(): BusEvent[];
}

export function createLocalEventBus(options: { region: string; webhookUrl?: string; now?: () => Date }): LocalEventBus {
  const received: BusEvent[] = [];
  const now = options.now ?? (() => new Date());
  const deliver = async (event: BusEvent): Promise<string | undefined> => {
    if (options.webhookUrl === undefined) return undefined;
    try {
      const answer = await fetch(options.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(5_000),
      });
      return answer.ok ? undefined : `webhook answered ${answer.status}`;
    } catch (error) {
      return `webhook unreachable: ${(error as Error).message}`;
    }
  };
  return {
    sink: async (events) => {
      const outcomes: (string | undefined)[] = [];
      for (const event of events) {
        const envelope: BusEvent = {
          version: "0",
          id: randomUUID(),
          "detail-type": event.detailType,
          source: RESULT_EVENT_SOURCE,
          account: "000000000000",
          time: now()
            .toISOString()
            .replace(/\.\d{3}Z$/, "Z"),
          region: options.region,
          resources: [],
          detail: event.detail,
        };
        const error = await deliver(envelope);
        if (error === undefined) received.push(envelope);
        outcomes.push(error);
      }
      return outcomes;
    },
    events: () => [...received],
  };
}
