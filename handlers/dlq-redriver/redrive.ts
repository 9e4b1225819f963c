// One redriver run: check the canary, then move the dead letters back (each
// sent with its redrive count raised before it is deleted from the DLQ, so a
// crash leaves it in at least one queue), set aside the ones that have had
// their redrives, and tell people: an alert for what was moved, a ticket for
// what was given up on.
import { DescribeAlarmsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SNSClient } from "@aws-sdk/client-sns";
import { SQS_MAX_VISIBILITY_SECONDS } from "../../contracts/retry-schedule";
import { publishAlert, publishTicketRequest, ticketRequest } from "../ticket-opener/ticket-request";
import type { RedriverConfig } from "./config";
import { decideMessage, decideRun, REDRIVE_COUNT_ATTRIBUTE, redriveCountOf, type CanaryState } from "./decide";

export interface RedriverDeps {
  sqs: SQSClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
  config: RedriverConfig;
  log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
}

export type RedriveOutcome = { action: "waited"; reason: string } | { action: "redrove"; moved: number; gaveUp: number; notMoved: number };

async function canaryState(deps: RedriverDeps): Promise<CanaryState> {
  const out = await deps.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [deps.config.canaryAlarmName], AlarmTypes: ["MetricAlarm"] }));
  const state = out.MetricAlarms?.[0]?.StateValue;
  return state === "OK" || state === "ALARM" || state === "INSUFFICIENT_DATA" ? state : "missing";
}

const BATCH = 10;

export async function redriveDeadLetters(deps: RedriverDeps): Promise<RedriveOutcome> {
  const { config, sqs } = deps;
  const decision = decideRun(await canaryState(deps));
  if (decision.kind === "wait") {
    deps.log("info", "dead letters not redriven", { reason: decision.reason });
    return { action: "waited", reason: decision.reason };
  }
  let moved = 0;
  let notMoved = 0;
  const gaveUp: { messageId: string; count: number; body: string }[] = [];
  for (let handled = 0; handled < config.maxMessagesPerRun;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: config.dlqUrl,
        MaxNumberOfMessages: BATCH,
        WaitTimeSeconds: 1,
        // Long enough to move them; a crash hands them back to the next run.
        VisibilityTimeout: 120,
        MessageAttributeNames: ["All"],
      }),
    );
    const messages = Messages ?? [];
    if (messages.length === 0) break;
    handled += messages.length;
    const toMove: { message: Message; nextCount: number }[] = [];
    const toSetAside: Message[] = [];
    for (const message of messages) {
      const verdict = decideMessage(redriveCountOf(message.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue), config.maxRedrives);
      if (verdict.kind === "move") toMove.push({ message, nextCount: verdict.nextCount });
      else {
        toSetAside.push(message);
        gaveUp.push({ messageId: message.MessageId ?? "?", count: verdict.count, body: (message.Body ?? "").slice(0, 300) });
      }
    }
    if (toMove.length > 0) {
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: config.queueUrl,
          Entries: toMove.map(({ message, nextCount }, i) => ({
            Id: String(i),
            MessageBody: message.Body ?? "",
            MessageAttributes: {
              ...withoutCount(message.MessageAttributes),
              [REDRIVE_COUNT_ATTRIBUTE]: { DataType: "Number", StringValue: String(nextCount) },
            },
          })),
        }),
      );
      const ok = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
      const done = toMove.filter((_, i) => ok.has(i));
      notMoved += toMove.length - done.length;
      if (done.length > 0) {
        // Deleted only once the send succeeded: a failure here means a redelivery, which the handler dedupes.
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: config.dlqUrl,
            Entries: done.map(({ message }, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? "" })),
          }),
        );
      }
      moved += done.length;
    }
    if (toSetAside.length > 0) {
      // Out of sight for 12 hours so runs in between neither resend nor re-ticket them; the DLQ age alarm keeps watching.
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: config.dlqUrl,
          Entries: toSetAside.map((message, i) => ({
            Id: String(i),
            ReceiptHandle: message.ReceiptHandle ?? "",
            VisibilityTimeout: SQS_MAX_VISIBILITY_SECONDS,
          })),
        }),
      );
    }
  }
  deps.log(moved > 0 || gaveUp.length > 0 ? "warn" : "info", "dead letters redriven", { moved, gaveUp: gaveUp.length, notMoved });
  if (moved > 0) {
    await publishAlert(
      deps.sns,
      config.alertTopicArn,
      `dlq-redriver moved ${moved} dead letter(s) back in ${config.region}`,
      `The canary passes again in ${config.region}, so ${moved} message(s) from ${config.dlqUrl} went back to ${config.queueUrl} ` +
        `(each at most ${config.maxRedrives} times). Runbook: docs/runbooks/dlq-redrive.md`,
    );
  }
  if (gaveUp.length > 0) {
    await publishTicketRequest(
      deps.sns,
      config.ticketTopicArn,
      ticketRequest({
        dedupeKey: `dlq-redriver:${config.region}:gave-up`,
        source: "dlq-redriver",
        region: config.region,
        summary: `${gaveUp.length} upload message(s) still fail after ${config.maxRedrives} redrives in ${config.region}`,
        description: [
          `These messages dead-lettered again after being sent back ${config.maxRedrives} times while the canary passed: the fault is in them, not in a passing outage.`,
          `They stay in ${config.dlqUrl}, set aside for 12 hours at a time; the DLQ age alarm pages before they expire.`,
          "Look up each object's row and the thumbnail function's logs by its key (docs/runbooks/dlq-redrive.md), fix the cause, then `pipectl dlq redrive`.",
          ...gaveUp.slice(0, 20).map((g) => `- ${g.messageId} (${g.count} redrives): ${g.body}`),
        ].join("\n"),
        details: { dlqUrl: config.dlqUrl, queueUrl: config.queueUrl, maxRedrives: config.maxRedrives, messages: gaveUp.slice(0, 50) },
      }),
    );
  }
  return { action: "redrove", moved, gaveUp: gaveUp.length, notMoved };
}

function withoutCount(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> {
  const copy = { ...(attributes ?? {}) };
  delete copy[REDRIVE_COUNT_ATTRIBUTE];
  return copy;
}
