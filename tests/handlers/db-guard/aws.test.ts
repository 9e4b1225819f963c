import { strict as assert } from "node:assert";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeDBParametersCommand, ModifyDBParameterGroupCommand, RDSClient, RebootDBInstanceCommand } from "@aws-sdk/client-rds";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import type { DbGuardConfig } from "../../../handlers/db-guard/config";
import { publishConnectionMetrics } from "../../../handlers/db-guard/connection-metrics";
import type { ConnectionSample } from "../../../handlers/db-guard/measure";
import { readConfiguredMaxConnections } from "../../../handlers/db-guard/parameter-group";
import { remediateConnections } from "../../../handlers/db-guard/remediate";
import { parseAlarmStateChange } from "../../../handlers/oom-remediator/alarm-event";
import { parseTicketRequest } from "../../../handlers/ticket-opener/ticket-request";

const config: DbGuardConfig = {
  threshold: 0.8,
  step: 10,
  ceiling: 200,
  instanceId: "thumbs-dev-eu-central-1-db",
  parameterGroup: "thumbs-dev-eu-central-1-pg16",
  allowReboot: false,
  floorParameter: "/thumbnail-pipeline/dev/eu-central-1/max-connections-floor",
  alertTopicArn: "arn:aws:sns:eu-central-1:123456789012:alerts",
  ticketTopicArn: "arn:aws:sns:eu-central-1:123456789012:tickets",
  region: "eu-central-1",
};
const at = new Date("2026-03-01T12:00:00Z");
const alarm = parseAlarmStateChange({
  "detail-type": "CloudWatch Alarm State Change",
  source: "aws.cloudwatch",
  time: at.toISOString(),
  region: "eu-central-1",
  resources: [],
  detail: {
    alarmName: `${config.instanceId}-connections`,
    state: { value: "ALARM", reason: "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (0.8)." },
  },
});

describe("db-guard AWS calls", () => {
  function world(groupValue: string | undefined) {
    const rds = new RDSClient({ region: "eu-central-1" });
    const ssm = new SSMClient({ region: "eu-central-1" });
    const sns = new SNSClient({ region: "eu-central-1" });
    const rdsMock = mockClient(rds);
    const ssmMock = mockClient(ssm);
    const snsMock = mockClient(sns);
    rdsMock.on(DescribeDBParametersCommand).resolves({
      Parameters: [
        {
          ParameterName: "max_connections",
          ParameterValue: groupValue ?? "LEAST({DBInstanceClassMemory/9531392},5000)",
          ApplyType: "static",
          IsModifiable: true,
        },
      ],
    });
    rdsMock.on(ModifyDBParameterGroupCommand).resolves({ DBParameterGroupName: config.parameterGroup });
    rdsMock.on(RebootDBInstanceCommand).resolves({});
    ssmMock.on(PutParameterCommand).resolves({ Version: 3 });
    snsMock.on(PublishCommand).resolves({ MessageId: "m" });
    return { rds, ssm, sns, rdsMock, ssmMock, snsMock };
  }
  const reading = (active: number, max: number): ConnectionSample => ({ active, total: active + 2, max, hidden: 0, at });

  it("publishes the four connection metrics with the instance dimension", async () => {
    const cloudwatch = new CloudWatchClient({ region: "eu-central-1" });
    const cw = mockClient(cloudwatch);
    cw.on(PutMetricDataCommand).resolves({});
    await publishConnectionMetrics(cloudwatch, reading(17, 20), config.instanceId);
    const [call] = cw.commandCalls(PutMetricDataCommand);
    const input = call.args[0].input;
    assert.equal(input.Namespace, "ThumbnailPipeline/Database");
    const byName = new Map(input.MetricData?.map((d) => [d.MetricName, d]));
    assert.deepEqual([...byName.keys()], ["ActiveConnections", "TotalConnections", "MaxConnections", "ConnectionUtilization"]);
    assert.deepEqual(
      [17, 19, 20, 0.85],
      [...byName.values()].map((d) => d.Value),
    );
    for (const d of byName.values()) {
      assert.deepEqual(d.Dimensions, [{ Name: "DBInstanceIdentifier", Value: config.instanceId }]);
      assert.equal(d.Timestamp, at);
    }
    assert.equal(byName.get("ConnectionUtilization")?.Unit, "None");
    assert.equal(byName.get("ActiveConnections")?.Unit, "Count");
  });

  it("raises max_connections pending reboot, records the floor and files a ticket pointing at RDS Proxy", async () => {
    const w = world(undefined);
    const outcome = await remediateConnections({ ...w, config }, reading(90, 100), alarm);
    assert.equal(outcome.applied, "pending-reboot");

    const [describe] = w.rdsMock.commandCalls(DescribeDBParametersCommand);
    assert.deepEqual(describe.args[0].input.Filters, [{ Name: "parameter-name", Values: ["max_connections"] }]);
    const [modify] = w.rdsMock.commandCalls(ModifyDBParameterGroupCommand);
    assert.deepEqual(modify.args[0].input, {
      DBParameterGroupName: config.parameterGroup,
      Parameters: [{ ParameterName: "max_connections", ParameterValue: "110", ApplyMethod: "pending-reboot" }],
    });
    assert.equal(w.rdsMock.commandCalls(RebootDBInstanceCommand).length, 0);
    const [put] = w.ssmMock.commandCalls(PutParameterCommand);
    assert.deepEqual([put.args[0].input.Name, put.args[0].input.Value, put.args[0].input.Overwrite], [config.floorParameter, "110", true]);

    const publishes = w.snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
    const ticketMessage = publishes.find((p) => p.TopicArn === config.ticketTopicArn)?.Message ?? "";
    const ticket = parseTicketRequest(ticketMessage);
    assert.equal(ticket.dedupeKey, `db-guard:eu-central-1:${config.instanceId}:connections`);
    assert.match(ticket.summary, /100 -> 110.*reboot pending/);
    assert.match(ticket.description, /RDS Proxy/);
    assert.match(publishes.find((p) => p.TopicArn === config.alertTopicArn)?.Message ?? "", /max_connections 100 -> 110/);
  });

  it("reboots when the stack allows it and says so", async () => {
    const w = world("100");
    const outcome = await remediateConnections({ ...w, config: { ...config, allowReboot: true } }, reading(90, 100), alarm);
    assert.equal(outcome.applied, "rebooted");
    assert.deepEqual(w.rdsMock.commandCalls(RebootDBInstanceCommand)[0].args[0].input, { DBInstanceIdentifier: config.instanceId });
    const ticket = parseTicketRequest(w.snsMock.commandCalls(PublishCommand)[0].args[0].input.Message ?? "");
    assert.match(ticket.summary, /rebooted/);
  });

  it("at the ceiling changes nothing and only asks for a human", async () => {
    const w = world("200");
    const outcome = await remediateConnections({ ...w, config }, reading(190, 200), alarm);
    assert.equal(outcome.decision.action, "at-ceiling");
    assert.equal(w.rdsMock.commandCalls(ModifyDBParameterGroupCommand).length, 0);
    assert.equal(w.ssmMock.commandCalls(PutParameterCommand).length, 0);
    const publishes = w.snsMock.commandCalls(PublishCommand);
    assert.equal(publishes.length, 1);
    assert.equal(publishes[0].args[0].input.TopicArn, config.ticketTopicArn);
  });

  it("with a raise still waiting for its reboot, tells again instead of raising again", async () => {
    const w = world("110");
    const outcome = await remediateConnections({ ...w, config }, reading(95, 100), alarm);
    assert.equal(outcome.decision.action, "reboot-pending");
    assert.equal(w.rdsMock.commandCalls(ModifyDBParameterGroupCommand).length, 0);
    assert.match(parseTicketRequest(w.snsMock.commandCalls(PublishCommand)[0].args[0].input.Message ?? "").summary, /reboot pending/);
    // The pending value is (re)recorded as the floor, so a run that failed after changing the group heals here.
    assert.equal(w.ssmMock.commandCalls(PutParameterCommand)[0].args[0].input.Value, "110");
  });

  it("reads max_connections across DescribeDBParameters pages", async () => {
    const rds = new RDSClient({ region: "eu-central-1" });
    const m = mockClient(rds);
    m.on(DescribeDBParametersCommand)
      .resolvesOnce({ Parameters: [], Marker: "page-2" })
      .resolvesOnce({ Parameters: [{ ParameterName: "max_connections", ParameterValue: "130" }] });
    assert.equal(await readConfiguredMaxConnections(rds, "pg"), 130);
    assert.equal(m.commandCalls(DescribeDBParametersCommand)[1].args[0].input.Marker, "page-2");
  });
});
