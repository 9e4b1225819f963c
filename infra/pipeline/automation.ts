// What makes the pipeline run and heal itself: the queue's trigger of the
// thumbnails function, the OOM alarm rule, db-guard's schedule and alarm
// rule, the canary's schedule, the dead-letter redrive rules, ticket-opener's
// subscription, where failed asynchronous invocations go, and migrations at
// deploy time.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionBudget } from "../budget";
import { ASYNC_FUNCTIONS } from "../iam-policies";
import { canaryAlarmName, queueAlarmName, queueName, resourcePrefix } from "../naming";
import type { Alerting } from "./alerting";
import { baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";
import type { PipelineDatabase } from "./database";
import type { Functions, PipelineFunction } from "./functions";
import type { Observability } from "./observability";
import type { Queueing } from "./queue";

export interface AutomationArgs {
  ctx: RegionContext;
  functions: Functions;
  queueing: Queueing;
  alerting: Alerting;
  observability: Observability;
  database: PipelineDatabase;
  budget: ConnectionBudget;
}

export class Automation extends pulumi.ComponentResource {
  constructor(name: string, args: AutomationArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Automation"), name, {}, options);
    const ctx = within(args.ctx, this);
    const { cfg } = ctx;
    const r = ctx.region.name;
    const f = args.functions.byName;

    new aws.lambda.EventSourceMapping(
      nameOf(ctx, "thumbnails-trigger"),
      {
        functionName: f.thumbnails.lambda.arn,
        eventSourceArn: args.queueing.queue.arn,
        batchSize: cfg.queue.batchSize,
        maximumBatchingWindowInSeconds: 1,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: args.budget.concurrency.thumbnails },
      },
      opts(ctx),
    );
    wireAutomation(ctx, {
      functions: args.functions,
      oomAlarmNames: args.observability.oomAlarmNames,
      connectionsAlarmName: args.observability.connectionsAlarmName,
      canaryAlarmName: canaryAlarmName(cfg, r),
      dlqDepthAlarmName: queueAlarmName(queueName(cfg, r, "raw-events-dlq"), "depth"),
      ticketsTopic: args.alerting.tickets,
      asyncFailureQueueArn: args.queueing.asyncFailures.arn,
    });
    runMigrations(ctx, f.migrate, args.database.instance ? [args.database.instance] : []);
    this.registerOutputs({});
  }
}

function ruleToFunction(ctx: RegionContext, role: string, f: PipelineFunction, rule: aws.cloudwatch.EventRuleArgs): void {
  const r = new aws.cloudwatch.EventRule(
    nameOf(ctx, role),
    { ...rule, name: `${resourcePrefix(ctx.cfg, ctx.region.name)}-${role}`, tags: baseTags(ctx, role) },
    opts(ctx),
  );
  new aws.lambda.Permission(
    nameOf(ctx, `${role}-permission`),
    { action: "lambda:InvokeFunction", function: f.lambda.name, principal: "events.amazonaws.com", sourceArn: r.arn },
    opts(ctx),
  );
  new aws.cloudwatch.EventTarget(
    nameOf(ctx, `${role}-target`),
    { rule: r.name, arn: f.lambda.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
    opts(ctx),
  );
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

interface AutomationTargets {
  functions: Functions;
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

function wireAutomation(ctx: RegionContext, t: AutomationTargets): void {
  const f = t.functions.byName;
  for (const fn of ASYNC_FUNCTIONS) failuresTo(ctx, f[fn], t.asyncFailureQueueArn);
  ruleToFunction(ctx, "oom-alarm-rule", f["oom-remediator"], {
    description: "OOM alarm of any pipeline function -> oom-remediator",
    eventPattern: alarmStateChange(t.oomAlarmNames),
  });
  ruleToFunction(ctx, "db-guard-schedule", f["db-guard"], { description: "db-guard measures connections every minute", scheduleExpression: "rate(1 minute)" });
  ruleToFunction(ctx, "db-connections-rule", f["db-guard"], {
    description: "Connections alarm -> db-guard remediation",
    eventPattern: alarmStateChange([t.connectionsAlarmName]),
  });
  ruleToFunction(ctx, "canary-schedule", f.canary, { description: "Synthetic upload every 5 minutes", scheduleExpression: "rate(5 minutes)" });
  // Dead letters go back once the cause has gone: when the canary passes again, when new ones arrive while it passes, and every 30 minutes in case a transition was missed.
  ruleToFunction(ctx, "dlq-redrive-canary-rule", f["dlq-redriver"], {
    description: "Canary passes again -> dlq-redriver",
    eventPattern: alarmStateChange([t.canaryAlarmName], "OK"),
  });
  ruleToFunction(ctx, "dlq-redrive-depth-rule", f["dlq-redriver"], {
    description: "Dead letters arrived -> dlq-redriver (acts only while the canary passes)",
    eventPattern: alarmStateChange([t.dlqDepthAlarmName]),
  });
  // Result events the thumbnails function could not send right away (handlers/shared/result-events.ts).
  ruleToFunction(ctx, "result-publisher-schedule", f["result-publisher"], {
    description: "result-publisher sends owed result events every minute",
    scheduleExpression: "rate(1 minute)",
  });
  ruleToFunction(ctx, "dlq-redrive-schedule", f["dlq-redriver"], { description: "dlq-redriver safety net", scheduleExpression: "rate(30 minutes)" });

  new aws.lambda.Permission(
    nameOf(ctx, "tickets-permission"),
    { action: "lambda:InvokeFunction", function: f["ticket-opener"].lambda.name, principal: "sns.amazonaws.com", sourceArn: t.ticketsTopic.arn },
    opts(ctx),
  );
  new aws.sns.TopicSubscription(
    nameOf(ctx, "tickets-subscription"),
    { topic: t.ticketsTopic.arn, protocol: "lambda", endpoint: f["ticket-opener"].lambda.arn },
    opts(ctx),
  );
}

/** Runs `migrate` during `pulumi up` whenever the migrations' bundle changes (its hash is the trigger). */
function runMigrations(ctx: RegionContext, migrate: PipelineFunction<"migrate">, dependsOn: pulumi.Resource[]): aws.lambda.Invocation {
  const bundleHash = ctx.manifest.functions.migrate.bundleHash;
  return new aws.lambda.Invocation(
    nameOf(ctx, "migrations"),
    { functionName: migrate.lambda.name, input: JSON.stringify({ action: "migrate", bundleHash }), triggers: { bundleHash } },
    opts(ctx, { dependsOn }),
  );
}
