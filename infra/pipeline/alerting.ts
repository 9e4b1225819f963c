// Where the region's alarms and automation tell people: the alerts topic
// (email and https subscriptions, published to by CloudWatch alarms of this
// account) and the tickets topic ticket-opener listens on.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmArn, topicArn } from "../arns";
import { topicName } from "../naming";
import { arnScope, baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";

export interface AlertingArgs {
  ctx: RegionContext;
}

export class Alerting extends pulumi.ComponentResource {
  readonly alerts: aws.sns.Topic;
  readonly tickets: aws.sns.Topic;

  constructor(name: string, args: AlertingArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Alerting"), name, {}, options);
    const ctx = within(args.ctx, this);
    const alertsName = topicName(ctx.cfg, ctx.region.name, "alerts");
    this.alerts = new aws.sns.Topic(nameOf(ctx, "alerts"), { name: alertsName, tags: baseTags(ctx, "alerts") }, opts(ctx));
    this.tickets = new aws.sns.Topic(
      nameOf(ctx, "tickets"),
      { name: topicName(ctx.cfg, ctx.region.name, "tickets"), tags: baseTags(ctx, "tickets") },
      opts(ctx),
    );
    // CloudWatch alarms publish to the alerts topic; scoped to this account's alarms.
    new aws.sns.TopicPolicy(
      nameOf(ctx, "alerts-policy"),
      {
        arn: this.alerts.arn,
        // ARN from the name, so the document is known at preview; `arn` keeps the dependency on the topic.
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "CloudWatchAlarmsPublish",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: topicArn(arnScope(ctx), alertsName),
              Condition: { ArnLike: { "aws:SourceArn": alarmArn(arnScope(ctx), "*") } },
            },
          ],
        }),
      },
      opts(ctx),
    );
    // Endpoints are the same in every region so an alarm anywhere reaches the same people.
    ctx.cfg.alerts.emails.forEach((email, i) => {
      new aws.sns.TopicSubscription(nameOf(ctx, `alerts-email-${i}`), { topic: this.alerts.arn, protocol: "email", endpoint: email }, opts(ctx));
    });
    ctx.cfg.alerts.httpsEndpoints.forEach((url, i) => {
      new aws.sns.TopicSubscription(
        nameOf(ctx, `alerts-https-${i}`),
        { topic: this.alerts.arn, protocol: "https", endpoint: url, endpointAutoConfirms: true },
        opts(ctx),
      );
    });
    this.registerOutputs({ alertsTopicArn: this.alerts.arn, ticketsTopicArn: this.tickets.arn });
  }
}
