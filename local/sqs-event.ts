// The shapes the Lambda SQS event source mapping hands a function, and the
// rule it applies to the function's answer (ReportBatchItemFailures). Pure:
// the local event-source loop does the I/O.
import type { Message } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export type { Context as LambdaContext, SQSBatchResponse, SQSEvent, SQSRecord };

/** A function as the SQS mapping invokes it. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export function toSqsEventRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attrs = message.Attributes ?? {};
  const messageAttributes: SQSRecord["messageAttributes"] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? "String",
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
    };
  }
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? "1",
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export type InvocationResult = { kind: "returned"; value: unknown } | { kind: "threw"; error: unknown };

/**
 * Which messages of a batch the mapping deletes, as Lambda decides it:
 * a throw (or timeout) fails the whole batch; an empty or absent
 * `batchItemFailures` means all succeeded; a malformed answer, or one naming a
 * message that was not in the batch, fails the whole batch.
 */
export function succeededMessageIds(batchIds: readonly string[], result: InvocationResult): string[] {
  if (result.kind === "threw") return [];
  const value = result.value;
  if (value === undefined || value === null) return [...batchIds];
  if (typeof value !== "object") return [];
  const failures = (value as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [...batchIds];
  if (!Array.isArray(failures)) return [];
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "" || !batchIds.includes(id)) return [];
    failed.add(id);
  }
  return batchIds.filter((id) => !failed.has(id));
}
