// Per region: a KMS key for log groups, and where their subscription filters
// send logs: the CloudWatch Logs destination this stack creates in the region,
// forwarding to the archive Firehose of the region's jurisdiction (a
// destination must live in the log groups' region; its target may be
// elsewhere), with the role CloudWatch Logs assumes; or an organisation's
// existing destination of that region (the log-archive account pattern).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deliveryStreamArn, logDestinationArn } from "../arns";
import { logArchiveName, resourcePrefix } from "../naming";
import { arnScope, baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";

interface RegionLogging {
  kmsKeyArn: pulumi.Output<string>;
  destinationArn: pulumi.Output<string>;
}

/** The stack's own archive stream, or the ARN of an existing destination in the region. */
export type LogShippingTarget = { archiveFirehoseArn: pulumi.Input<string> } | { existingDestinationArn: string };

export interface LogShippingArgs {
  ctx: RegionContext;
  target: LogShippingTarget;
}

/** The key the region's log groups are encrypted with, and the destination their subscription filters ship to. */
export class LogShipping extends pulumi.ComponentResource {
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly destinationArn: pulumi.Output<string>;

  constructor(name: string, args: LogShippingArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("LogShipping"), name, {}, options);
    const built = createRegionLogging(within(args.ctx, this), args.target);
    this.kmsKeyArn = built.kmsKeyArn;
    this.destinationArn = built.destinationArn;
    this.registerOutputs({ kmsKeyArn: this.kmsKeyArn, destinationArn: this.destinationArn });
  }
}

function createRegionLogging(ctx: RegionContext, target: LogShippingTarget): RegionLogging {
  const region = ctx.region.name;
  const prefix = resourcePrefix(ctx.cfg, region);
  const key = new aws.kms.Key(
    nameOf(ctx, "logs-key"),
    {
      description: `${prefix}: encrypts the pipeline's log groups`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ctx.accountId}:root` }, Action: "kms:*", Resource: "*" },
          {
            Sid: "CloudWatchLogsUsesKeyForThisAccount",
            Effect: "Allow",
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${ctx.accountId}:log-group:*` } },
          },
        ],
      }),
      tags: baseTags(ctx, "logs-key"),
    },
    opts(ctx),
  );
  if ("existingDestinationArn" in target) return { kmsKeyArn: key.arn, destinationArn: pulumi.output(target.existingDestinationArn) };
  const archiveFirehoseArn = target.archiveFirehoseArn;

  const archiveStreamArn = deliveryStreamArn({ ...arnScope(ctx), region: ctx.region.logArchiveRegion }, logArchiveName(ctx.cfg, ctx.region.logArchiveRegion));
  const role = new aws.iam.Role(
    nameOf(ctx, "log-shipping-role"),
    {
      name: `${prefix}-log-shipping`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "logs.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringLike: { "aws:SourceArn": `arn:aws:logs:${region}:${ctx.accountId}:*` } },
          },
        ],
      }),
      tags: baseTags(ctx, "log-shipping-role"),
    },
    opts(ctx),
  );
  const policy = new aws.iam.RolePolicy(
    nameOf(ctx, "log-shipping-policy"),
    {
      role: role.id,
      // The archive's stream by its name, so the document is known at preview; the destination's
      // targetArn below keeps the stream's output, and with it the dependency on the archive.
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["firehose:PutRecord", "firehose:PutRecordBatch"], Resource: archiveStreamArn }],
      }),
    },
    opts(ctx),
  );
  const destinationName = `${prefix}-log-archive`;
  const destination = new aws.cloudwatch.LogDestination(
    nameOf(ctx, "log-destination"),
    { name: destinationName, roleArn: role.arn, targetArn: archiveFirehoseArn, tags: baseTags(ctx, "log-destination") },
    opts(ctx, { dependsOn: [policy] }),
  );
  new aws.cloudwatch.LogDestinationPolicy(
    nameOf(ctx, "log-destination-policy"),
    {
      destinationName: destination.name,
      accessPolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: ctx.accountId },
            Action: "logs:PutSubscriptionFilter",
            Resource: logDestinationArn(arnScope(ctx), destinationName),
          },
        ],
      }),
    },
    opts(ctx),
  );
  return { kmsKeyArn: key.arn, destinationArn: destination.arn };
}
