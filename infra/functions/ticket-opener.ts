// ticket-opener: files (or comments on) a Jira ticket per ticket request on
// the tickets topic; without Jira, the request goes to the alerts topic.
import type { FunctionSpec } from "../pipeline/functions";
import { commonValues, environmentOf, knownArns, type FunctionInputs } from "./inputs";

export function ticketOpenerSpec(i: FunctionInputs): FunctionSpec<"ticket-opener"> {
  const { ctx } = i;
  const arns = knownArns(ctx);
  const jira = ctx.cfg.ticketing.jira;
  return {
    fn: "ticket-opener",
    environment: environmentOf("ticket-opener", {
      ...commonValues(ctx, "ticket-opener"),
      alertTopicArn: i.alerting.alerts.arn,
      ...(jira ? { jiraBaseUrl: jira.baseUrl, jiraProjectKey: jira.projectKey, jiraIssueType: jira.issueType, jiraSecretArn: jira.secretArn } : {}),
    }),
    policyInputs: {
      alertTopicArn: arns.alertTopicArn,
      asyncFailureQueueArn: arns.asyncFailureQueueArn,
      ...(jira ? { jiraSecretArn: jira.secretArn } : {}),
    },
  };
}
