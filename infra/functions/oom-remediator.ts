// The OOM remediator: raises a function's memory when its OOM alarm fires,
// records the floor in SSM, and re-arms the alarm. Outside the VPC.
import { FUNCTION_NAMES, functionAlarmName, memoryFloorPrefix } from "../../contracts";
import { alarmArn, ssmParameterArn } from "../arns";
import { lambdaName } from "../naming";
import { functionArn, type FunctionSpec } from "../pipeline/functions";
import { commonValues, environmentOf, knownArns, type FunctionInputs } from "./inputs";

export function oomRemediatorSpec(i: FunctionInputs): FunctionSpec<"oom-remediator"> {
  const { ctx } = i;
  const { cfg } = ctx;
  const r = ctx.region.name;
  const arns = knownArns(ctx);
  const floorPrefix = memoryFloorPrefix(cfg.stack, r);
  return {
    fn: "oom-remediator",
    // Two OOM events at once must raise once; one invocation at a time also serialises the SSM floor.
    reservedConcurrency: 1,
    environment: environmentOf("oom-remediator", {
      ...commonValues(ctx, "oom-remediator"),
      stepMb: cfg.remediation.memoryStepMb,
      capMb: cfg.remediation.memoryCapMb,
      cooldownSeconds: cfg.remediation.cooldownSeconds,
      floorParameterPrefix: floorPrefix,
      alertTopicArn: i.alerting.alerts.arn,
      ticketTopicArn: i.alerting.tickets.arn,
    }),
    policyInputs: {
      remediableFunctionArns: FUNCTION_NAMES.map((fn) => functionArn(ctx, fn)),
      oomAlarmArns: FUNCTION_NAMES.map((fn) => alarmArn(arns.scope, functionAlarmName(lambdaName(cfg, r, fn), "oom"))),
      memoryFloorParameterArnPrefix: ssmParameterArn(arns.scope, floorPrefix),
      alertTopicArn: arns.alertTopicArn,
      ticketTopicArn: arns.ticketTopicArn,
      asyncFailureQueueArn: arns.asyncFailureQueueArn,
    },
  };
}
