// The four functions as Lambda runs them: event in, effects out, with real
// PostgreSQL / local S3 / a local Jira and stand-in AWS control-plane clients.
import { strict as assert } from "node:assert";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeDBParametersCommand, ModifyDBParameterGroupCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { Logger } from "@aws-lambda-powertools/logger";
import { mockClient } from "aws-sdk-client-mock";
import { createCanaryHandler } from "../../handlers/canary/handler";
import { createDbGuardHandler } from "../../handlers/db-guard/handler";
import { migrate } from "../../handlers/migrate";
import { createDatabaseClient, type Database } from "../../handlers/shared/db";
import { DimensionedMetrics, type MetricUnitValue } from "../../handlers/shared/metrics";
import { DEFAULT_SPECS } from "../../handlers/thumbnails/image/config";
import { createTicketOpenerHandler, TicketsNotFiledError } from "../../handlers/ticket-opener/handler";
import { parseTicketRequest, ticketRequest } from "../../handlers/ticket-opener/ticket-request";
import { startLocalAws, type LocalAws } from "../../local/local-aws";
import { freshDatabase } from "../support/postgres";
import { startFakeJira } from "./support/fake-jira";

const silent = () => new Logger({ serviceName: "test", logLevel: "SILENT" });
const TOPICS = { alerts: "arn:aws:sns:eu-central-1:1:alerts", tickets: "arn:aws:sns:eu-central-1:1:tickets" };

/** Records data points instead of printing EMF. */
class RecordingMetrics extends DimensionedMetrics {
  readonly points: { name: string; unit: MetricUnitValue; value: number }[] = [];
  override add(name: string, unit: MetricUnitValue, value: number): void {
    this.points.push({ name, unit, value });
  }
  override flush(): void {}
}

describe("self-healing functions end to end", () => {
  let database: Database;
  before(async () => {
    const url = await freshDatabase("selfheal");
    await migrate(url);
    database = createDatabaseClient({ settings: { source: "url", url, tls: undefined } });
  });
  after(() => database.end());

  it("db-guard: the schedule publishes what it measured; the alarm's ALARM remediates; OK is ignored", async () => {
    const cloudwatch = new CloudWatchClient({ region: "eu-central-1" });
    const rds = new RDSClient({ region: "eu-central-1" });
    const ssm = new SSMClient({ region: "eu-central-1" });
    const sns = new SNSClient({ region: "eu-central-1" });
    const [cw, rdsMock, ssmMock, snsMock] = [mockClient(cloudwatch), mockClient(rds), mockClient(ssm), mockClient(sns)];
    cw.on(PutMetricDataCommand).resolves({});
    rdsMock.on(DescribeDBParametersCommand).resolves({ Parameters: [] });
    rdsMock.on(ModifyDBParameterGroupCommand).resolves({});
    ssmMock.on(PutParameterCommand).resolves({});
    snsMock.on(PublishCommand).resolves({});
    const config = {
      threshold: 0.8,
      step: 10,
      ceiling: 200,
      instanceId: "db-1",
      parameterGroup: "pg-1",
      allowReboot: false,
      floorParameter: "/floor",
      alertTopicArn: TOPICS.alerts,
      ticketTopicArn: TOPICS.tickets,
      region: "eu-central-1",
    };
    const handler = createDbGuardHandler({ db: database, cloudwatch, rds, ssm, sns, config, logger: silent() });

    const measured = await handler({ "detail-type": "Scheduled Event", source: "aws.events", detail: {} });
    assert.equal(measured.mode, "measure");
    const { rows } = await database.query<{ max: number }>("SELECT current_setting('max_connections')::int AS max");
    assert.equal(measured.mode === "measure" && measured.max, rows[0].max);
    const data = cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData ?? [];
    assert.equal(data.find((d) => d.MetricName === "MaxConnections")?.Value, rows[0].max);
    assert.equal(data.find((d) => d.MetricName === "ConnectionUtilization")?.Value, measured.mode === "measure" ? measured.utilization : NaN);

    const alarm = (value: string) => ({
      "detail-type": "CloudWatch Alarm State Change",
      source: "aws.cloudwatch",
      time: "2026-03-01T12:00:00Z",
      detail: { alarmName: "db-1-connections", state: { value, reason: "5 of 5 above 0.8" } },
    });
    assert.equal((await handler(alarm("OK"))).mode, "ignored");
    assert.equal(rdsMock.commandCalls(ModifyDBParameterGroupCommand).length, 0);
    const remediated = await handler(alarm("ALARM"));
    assert.equal(remediated.mode === "remediate" && remediated.outcome.applied, "pending-reboot");
    const [modify] = rdsMock.commandCalls(ModifyDBParameterGroupCommand);
    assert.equal(modify.args[0].input.Parameters?.[0].ParameterValue, String(Math.min(rows[0].max + 10, 200)));
  });

  it("ticket-opener: files from the SNS event with the secret's token, and fails the invocation when Jira is down", async () => {
    const jira = await startFakeJira({ email: "bot@example.com", apiToken: "t0k3n", projectKey: "OPS" });
    try {
      const sns = new SNSClient({ region: "eu-central-1" });
      const snsMock = mockClient(sns);
      snsMock.on(PublishCommand).resolves({});
      const secrets = new SecretsManagerClient({ region: "eu-central-1" });
      mockClient(secrets)
        .on(GetSecretValueCommand)
        .resolves({ SecretString: JSON.stringify({ email: "bot@example.com", apiToken: "t0k3n" }) });
      const handler = createTicketOpenerHandler({
        config: {
          jira: { baseUrl: jira.baseUrl, projectKey: "OPS", issueType: "Task", secretArn: "arn:aws:secretsmanager:eu-central-1:1:secret:jira" },
          alertTopicArn: TOPICS.alerts,
        },
        sns,
        secrets,
        logger: silent(),
        jiraOptions: { sleep: async () => undefined },
      });
      const request = ticketRequest({
        dedupeKey: "oom:eu-central-1:fn",
        source: "oom-remediator",
        region: "eu-central-1",
        summary: "fn at the cap",
        description: "needs a human",
        details: {},
      });
      const event = { Records: [{ Sns: { MessageId: "sns-1", Message: JSON.stringify(request) } }] };
      const [filed] = await handler(event);
      assert.deepEqual(filed, { messageId: "sns-1", outcome: "jira", ticket: { action: "created", key: "OPS-1" } });

      jira.fail(...Array.from({ length: 4 }, () => ({ status: 503 })));
      await assert.rejects(handler(event), (e: unknown) => e instanceof TicketsNotFiledError && e.failed.length === 1);
      assert.equal(snsMock.commandCalls(PublishCommand)[0].args[0].input.TopicArn, TOPICS.alerts);
      // Jira back: the retried delivery comments on the one open issue.
      const [retried] = await handler(event);
      assert.deepEqual(retried.outcome === "jira" && retried.ticket, { action: "commented", key: "OPS-1" });
    } finally {
      await jira.close();
    }
  });

  describe("canary", () => {
    let aws: LocalAws;
    before(async () => {
      aws = await startLocalAws({ region: "eu-central-1" });
    });
    after(() => aws.stop());

    it("publishes CanarySuccess 0 and a ticket request naming the step when the pipeline does not answer", async () => {
      const s3 = new S3Client(aws.s3Config);
      await s3.send(new CreateBucketCommand({ Bucket: "raw" }));
      await s3.send(new CreateBucketCommand({ Bucket: "thumbs" }));
      const sns = new SNSClient({ region: "eu-central-1" });
      const snsMock = mockClient(sns);
      snsMock.on(PublishCommand).resolves({});
      const metrics = new RecordingMetrics({ namespace: "ThumbnailPipeline", serviceName: "canary" });
      const handler = createCanaryHandler({
        s3,
        sns,
        db: database,
        config: {
          rawBucket: "raw",
          thumbnailsBucket: "thumbs",
          prefix: "canary/",
          timeoutMs: 600,
          specs: [...DEFAULT_SPECS],
          region: "eu-central-1",
          ticketTopicArn: TOPICS.tickets,
        },
        logger: silent(),
        metrics,
      });
      // Nothing processes the upload here, so no row arrives.
      const result = await handler();
      assert.equal(result.failedStep, "row");
      assert.deepEqual(metrics.points, [{ name: "CanarySuccess", unit: "Count", value: 0 }]);
      const [publish] = snsMock.commandCalls(PublishCommand);
      assert.equal(publish.args[0].input.TopicArn, TOPICS.tickets);
      const ticket = parseTicketRequest(publish.args[0].input.Message ?? "");
      assert.equal(ticket.dedupeKey, "canary:eu-central-1:row");
      assert.match(ticket.description, /the images row for canary\/.* did not appear within 0.6 s/);
    });
  });
});
