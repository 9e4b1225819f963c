// oom-remediator: EventBridge "CloudWatch Alarm State Change" for `<function>-oom`
// alarms. Only the transition into ALARM acts; see remediate.ts.
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { Context } from "aws-lambda";
import { addLambdaContext, createLogger, errorFields } from "../shared/logger";
import { parseAlarmStateChange } from "./alarm-event";
import { functionNameFromAlarm, readOomRemediatorConfig } from "./config";
import { remediateOom, type RemediationDeps, type RemediationOutcome } from "./remediate";

const logger = createLogger({ defaultServiceName: "oom-remediator" });
let deps: RemediationDeps | undefined;

function containerDeps(): RemediationDeps {
  if (deps === undefined) {
    try {
      deps = {
        lambda: new LambdaClient({}),
        ssm: new SSMClient({}),
        sns: new SNSClient({}),
        cloudwatch: new CloudWatchClient({}),
        config: readOomRemediatorConfig(),
        now: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log: (level, message, fields) => logger[level](message, fields),
      };
    } catch (error) {
      logger.error("configuration error", errorFields(error));
      throw error;
    }
  }
  return deps;
}

export async function handler(event: unknown, context?: Context): Promise<RemediationOutcome | { action: "ignored"; reason: string }> {
  addLambdaContext(logger, context);
  let alarm: ReturnType<typeof parseAlarmStateChange>;
  try {
    alarm = parseAlarmStateChange(event);
  } catch (error) {
    // An event this function cannot read is a wiring mistake: said in the log, and the invocation fails so the event is not dropped silently.
    logger.error("invalid event: expected a CloudWatch alarm state change from EventBridge", errorFields(error));
    throw error;
  }
  if (alarm.state !== "ALARM") {
    logger.info("alarm left ALARM; nothing to do", { alarmName: alarm.alarmName, state: alarm.state });
    return { action: "ignored", reason: `state ${alarm.state}` };
  }
  const functionName = functionNameFromAlarm(alarm.alarmName);
  if (functionName === undefined) {
    // The EventBridge rule should only match `*-oom`; anything else is a wiring mistake worth seeing.
    logger.error("alarm name does not end in -oom; the EventBridge rule matches too much", { alarmName: alarm.alarmName });
    return { action: "ignored", reason: `alarm ${alarm.alarmName} is not an -oom alarm` };
  }
  const outcome = await remediateOom(containerDeps(), functionName, alarm);
  logger.info("oom remediation done", { ...outcome });
  return outcome;
}
