// ObjectCreated on the raw bucket -> SQS (SSE) with a DLQ; the queue absorbs
// bursts while the event source mapping caps concurrency (backpressure).
// Failed asynchronous invocations of the automation land in a queue of their own.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { visibilityTimeoutSeconds } from "../budget";
import { queueArn } from "../arns";
import { queueName } from "../naming";
import { arnScope, baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";
import type { PrivateBucket } from "./storage";

interface Queues {
  queue: aws.sqs.Queue;
  dlq: aws.sqs.Queue;
  notification: aws.s3.BucketNotification;
}

export interface QueueingArgs {
  ctx: RegionContext;
  /** The bucket whose ObjectCreated events fill the raw-events queue. */
  rawBucket: PrivateBucket;
}

/** The raw-events queue with its DLQ and the bucket's notification into it, and the async-failures queue. */
export class Queueing extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly dlq: aws.sqs.Queue;
  readonly asyncFailures: aws.sqs.Queue;

  constructor(name: string, args: QueueingArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Queueing"), name, {}, options);
    const ctx = within(args.ctx, this);
    const queues = createQueues(ctx, args.rawBucket);
    this.queue = queues.queue;
    this.dlq = queues.dlq;
    this.asyncFailures = createAsyncFailureQueue(ctx);
    this.registerOutputs({ queueUrl: this.queue.url, dlqUrl: this.dlq.url, asyncFailuresUrl: this.asyncFailures.url });
  }
}

function createQueues(ctx: RegionContext, raw: PrivateBucket): Queues {
  const day = 86400;
  const dlq = new aws.sqs.Queue(
    nameOf(ctx, "raw-events-dlq"),
    {
      name: queueName(ctx.cfg, ctx.region.name, "raw-events-dlq"),
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * day,
      tags: baseTags(ctx, "raw-events-dlq"),
    },
    opts(ctx),
  );
  const queue = new aws.sqs.Queue(
    nameOf(ctx, "raw-events"),
    {
      name: queueName(ctx.cfg, ctx.region.name, "raw-events"),
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: visibilityTimeoutSeconds(ctx.cfg.functions.thumbnails.timeoutSeconds),
      messageRetentionSeconds: ctx.cfg.queue.retentionDays * day,
      receiveWaitTimeSeconds: 20,
      redrivePolicy: dlq.arn.apply((arn) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: ctx.cfg.queue.retry.maxReceiveCount })),
      tags: baseTags(ctx, "raw-events"),
    },
    opts(ctx),
  );
  new aws.sqs.RedriveAllowPolicy(
    nameOf(ctx, "raw-events-dlq-redrive-allow"),
    { queueUrl: dlq.url, redriveAllowPolicy: queue.arn.apply((arn) => JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] })) },
    opts(ctx),
  );
  const queuePolicy = new aws.sqs.QueuePolicy(
    nameOf(ctx, "raw-events-policy"),
    {
      queueUrl: queue.url,
      // ARNs from names, so the document is known at preview; queueUrl keeps the dependency on the queue.
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "RawBucketSendsObjectCreated",
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queueArn(arnScope(ctx), queueName(ctx.cfg, ctx.region.name, "raw-events")),
            Condition: { ArnEquals: { "aws:SourceArn": raw.knownArn }, StringEquals: { "aws:SourceAccount": ctx.accountId } },
          },
        ],
      }),
    },
    opts(ctx),
  );
  const notification = new aws.s3.BucketNotification(
    nameOf(ctx, "raw-bucket-notification"),
    { bucket: raw.bucket.id, queues: [{ queueArn: queue.arn, events: ["s3:ObjectCreated:*"] }] },
    opts(ctx, { dependsOn: [queuePolicy] }),
  );
  return { queue, dlq, notification };
}

/**
 * Where failed asynchronous invocations (EventBridge schedules and alarm rules,
 * the tickets subscription) land after Lambda's retries, so automation that
 * fails is seen instead of lost.
 */
function createAsyncFailureQueue(ctx: RegionContext): aws.sqs.Queue {
  return new aws.sqs.Queue(
    nameOf(ctx, "async-failures"),
    {
      name: queueName(ctx.cfg, ctx.region.name, "async-failures"),
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 86400,
      tags: baseTags(ctx, "async-failures"),
    },
    opts(ctx),
  );
}
