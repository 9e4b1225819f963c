// Topics and triggers of the self-healing functions: alerts and tickets
// topics, the OOM alarm rule, db-guard's schedule and alarm rule, the canary
// schedule, ticket-opener's subscription, and migrations at deploy time.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmArn, topicArn } from "../arns";
import type { FunctionName } from "../config";
import { ASYNC_FUNCTIONS } from "../iam-policies";
import { resourcePrefix, topicName } from "../naming";
import { arnScope, baseTags, nameOf, opts, type RegionContext } from "./context";
import type { PipelineFunction } from "./functions";

export interface Topics {
  alerts: aws.sns.Topic;
  tickets: aws.sns.Topic;
}

export function createTopics(ctx: RegionContext): Topics {
  const alertsName = topicName(ctx.cfg, ctx.region.name, "alerts");
  const alerts = new aws.sns.Topic(nameOf(ctx, "alerts"), { name: alertsName, tags: baseTags(ctx, "alerts") }, opts(ctx));
  const tickets = new aws.sns.Topic(nameOf(ctx, "tickets"), { name: topicName(ctx.cfg, ctx.region.name, "tickets"), tags: baseTags(ctx, "tickets") }, opts(ctx));
  // CloudWatch alarms publish to the alerts topic; scoped to this account's alarms.
  new aws.sns.TopicPolicy(
    nameOf(ctx, "alerts-policy"),
    {
      arn: alerts.arn,
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
    new aws.sns.TopicSubscription(nameOf(ctx, `alerts-email-${i}`), { topic: alerts.arn, protocol: "email", endpoint: email }, opts(ctx));
  });
  ctx.cfg.alerts.httpsEndpoints.forEach((url, i) => {
    new aws.sns.TopicSubscription(nameOf(ctx, `alerts-https-${i}`), { topic: alerts.arn, protocol: "https", endpoint: url, endpointAutoConfirms: true }, opts(ctx));
  });
  return { alerts, tickets };
}

function ruleToFunction(ctx: RegionContext, role: string, f: PipelineFunction, rule: aws.cloudwatch.EventRuleArgs): void {
  const r = new aws.cloudwatch.EventRule(nameOf(ctx, role), { ...rule, name: `${resourcePrefix(ctx.cfg, ctx.region.name)}-${role}`, tags: baseTags(ctx, role) }, opts(ctx));
  new aws.lambda.Permission(nameOf(ctx, `${role}-permission`), { action: "lambda:InvokeFunction", function: f.lambda.name, principal: "events.amazonaws.com", sourceArn: r.arn }, opts(ctx));
  new aws.cloudwatch.EventTarget(nameOf(ctx, `${role}-target`), { rule: r.name, arn: f.lambda.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } }, opts(ctx));
}

function alarmStateChange(alarmNames: pulumi.Input<string>[], state: "ALARM" | "OK" = "ALARM"): pulumi.Output<string> {
  return pulumi.all(alarmNames).apply((names) =>
    JSON.stringify({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      detail: { alarmName: names, state: { value: [state] } },
    }),
  );
}

export interface AutomationTargets {
  functions: Record<FunctionName, PipelineFunction>;
  oomAlarmNames: pulumi.Input<string>[];
  connectionsAlarmName: pulumi.Input<string>;
  canaryAlarmName: string;
  dlqDepthAlarmName: string;
  ticketsTopic: aws.sns.Topic;
  asyncFailureQueueArn: pulumi.Input<string>;
}

/** Lambda retries an asynchronous event twice, then sends it to the async-failures queue. */
function failuresTo(ctx: RegionContext, f: PipelineFunction, queueArn: pulumi.Input<string>): void {
  new aws.lambda.FunctionEventInvokeConfig(
    nameOf(ctx, `${f.fn}-async-config`),
    { functionName: f.lambda.name, maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600, destinationConfig: { onFailure: { destination: queueArn } } },
    opts(ctx),
  );
}

export function wireAutomation(ctx: RegionContext, t: AutomationTargets): void {
  for (const fn of ASYNC_FUNCTIONS) failuresTo(ctx, t.functions[fn], t.asyncFailureQueueArn);
  const f = t.functions;
  ruleToFunction(ctx, "oom-alarm-rule", f["oom-remediator"], { description: "OOM alarm of any pipeline function -> oom-remediator", eventPattern: alarmStateChange(t.oomAlarmNames) });
  ruleToFunction(ctx, "db-guard-schedule", f["db-guard"], { description: "db-guard measures connections every minute", scheduleExpression: "rate(1 minute)" });
  ruleToFunction(ctx, "db-connections-rule", f["db-guard"], { description: "Connections alarm -> db-guard remediation", eventPattern: alarmStateChange([t.connectionsAlarmName]) });
  ruleToFunction(ctx, "canary-schedule", f.canary, { description: "Synthetic upload every 5 minutes", scheduleExpression: "rate(5 minutes)" });
  // Dead letters go back once the cause has gone: when the canary passes again, when new ones arrive while it passes, and every 30 minutes in case a transition was missed.
  ruleToFunction(ctx, "dlq-redrive-canary-rule", f["dlq-redriver"], { description: "Canary passes again -> dlq-redriver", eventPattern: alarmStateChange([t.canaryAlarmName], "OK") });
  ruleToFunction(ctx, "dlq-redrive-depth-rule", f["dlq-redriver"], { description: "Dead letters arrived -> dlq-redriver (acts only while the canary passes)", eventPattern: alarmStateChange([t.dlqDepthAlarmName]) });
  // Result events the thumbnails function could not send right away (handlers/shared/result-events.ts).
  ruleToFunction(ctx, "result-publisher-schedule", f["result-publisher"], { description: "result-publisher sends owed result events every minute", scheduleExpression: "rate(1 minute)" });
  ruleToFunction(ctx, "dlq-redrive-schedule", f["dlq-redriver"], { description: "dlq-redriver safety net", scheduleExpression: "rate(30 minutes)" });

  new aws.lambda.Permission(
    nameOf(ctx, "tickets-permission"),
    { action: "lambda:InvokeFunction", function: f["ticket-opener"].lambda.name, principal: "sns.amazonaws.com", sourceArn: t.ticketsTopic.arn },
    opts(ctx),
  );
  new aws.sns.TopicSubscription(nameOf(ctx, "tickets-subscription"), { topic: t.ticketsTopic.arn, protocol: "lambda", endpoint: f["ticket-opener"].lambda.arn }, opts(ctx));
}

/** Runs `migrate` during `pulumi up` whenever the migrations' bundle changes (its hash is the trigger). */
export function runMigrations(ctx: RegionContext, migrate: PipelineFunction, dependsOn: pulumi.Resource[]): aws.lambda.Invocation {
  const bundleHash = ctx.manifest.functions.migrate.bundleHash;
  return new aws.lambda.Invocation(
    nameOf(ctx, "migrations"),
    { functionName: migrate.lambda.name, input: JSON.stringify({ action: "migrate", bundleHash }), triggers: { bundleHash } },
    opts(ctx, { dependsOn }),
  );
}
