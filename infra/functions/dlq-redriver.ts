// dlq-redriver: sends dead letters back to the raw-events queue once the
// canary passes again. Outside the VPC, one run at a time.
import { alarmArn } from "../arns";
import { canaryAlarmName } from "../naming";
import type { FunctionSpec } from "../pipeline/functions";
import { commonValues, environmentOf, knownArns, type FunctionInputs } from "./inputs";

export function dlqRedriverSpec(i: FunctionInputs): FunctionSpec<"dlq-redriver"> {
  const { ctx, queueing } = i;
  const arns = knownArns(ctx);
  const canaryAlarm = canaryAlarmName(ctx.cfg, ctx.region.name);
  return {
    fn: "dlq-redriver",
    // One run at a time: two would race for the same dead letters.
    reservedConcurrency: 1,
    environment: environmentOf("dlq-redriver", {
      ...commonValues(ctx, "dlq-redriver"),
      dlqUrl: queueing.dlq.url,
      queueUrl: queueing.queue.url,
      canaryAlarmName: canaryAlarm,
      maxRedrives: ctx.cfg.queue.maxRedrives,
      alertTopicArn: i.alerting.alerts.arn,
      ticketTopicArn: i.alerting.tickets.arn,
    }),
    policyInputs: {
      dlqArn: arns.dlqArn,
      queueArn: arns.queueArn,
      canaryAlarmArn: alarmArn(arns.scope, canaryAlarm),
      alertTopicArn: arns.alertTopicArn,
      ticketTopicArn: arns.ticketTopicArn,
      asyncFailureQueueArn: arns.asyncFailureQueueArn,
    },
  };
}
