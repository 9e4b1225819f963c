// Re-arming the OOM alarm. EventBridge only reports state *changes*: an alarm
// that stays in ALARM (the function keeps running out of memory after a raise,
// or while the cooldown holds a raise back) would never invoke us again.
// Setting it to OK makes its next evaluation, one period later, go back to
// ALARM if OOMs continue, which is a new state change and a new event.
import { SetAlarmStateCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";

export async function rearmAlarm(cloudwatch: CloudWatchClient, alarmName: string, why: string): Promise<void> {
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: alarmName,
      StateValue: "OK",
      // StateReason is limited to 1023 characters.
      StateReason: `Re-armed by oom-remediator: ${why}`.slice(0, 1023),
    }),
  );
}
