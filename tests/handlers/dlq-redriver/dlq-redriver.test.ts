// dlq-redriver against a real SQS (the in-process fauxqs, with a redrive
// policy as deployed) and CloudWatch/SNS faked to AWS's documented shapes:
// dead letters wait while the canary fails, go back once it passes, each at
// most MAX_REDRIVES times, and the ones that keep failing are set aside with
// a ticket through the tickets topic.
import { strict as assert } from "node:assert";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import type { RedriverConfig } from "../../../handlers/dlq-redriver/config";
import { decideMessage, decideRun, REDRIVE_COUNT_ATTRIBUTE, redriveCountOf } from "../../../handlers/dlq-redriver/decide";
import { redriveDeadLetters } from "../../../handlers/dlq-redriver/redrive";
import { parseTicketRequest } from "../../../handlers/ticket-opener/ticket-request";
import { startLocalAws, type LocalAws } from "../../../local/local-aws";

describe("dlq-redriver", function () {
  this.timeout(60_000);

  describe("decisions", () => {
    it("redrives only while the canary passes", () => {
      assert.deepEqual(decideRun("OK"), { kind: "redrive" });
      for (const state of ["ALARM", "INSUFFICIENT_DATA", "missing"] as const) assert.equal(decideRun(state).kind, "wait");
    });
    it("sends a message back at most maxRedrives times", () => {
      assert.deepEqual(decideMessage(0, 3), { kind: "move", nextCount: 1 });
      assert.deepEqual(decideMessage(2, 3), { kind: "move", nextCount: 3 });
      assert.deepEqual(decideMessage(3, 3), { kind: "give-up", count: 3 });
      assert.deepEqual(decideMessage(0, 0), { kind: "give-up", count: 0 });
      assert.equal(redriveCountOf("2"), 2);
      assert.equal(redriveCountOf("x"), 0);
      assert.equal(redriveCountOf(undefined), 0);
    });
  });

  describe("against SQS", () => {
    let aws: LocalAws;
    let sqs: SQSClient;
    let queueUrl: string;
    let dlqUrl: string;
    let sequence = 0;

    before(async () => {
      aws = await startLocalAws();
      sqs = new SQSClient(aws.sqsConfig);
    });
    after(async () => {
      sqs?.destroy();
      await aws?.stop();
    });
    beforeEach(async () => {
      sequence++;
      dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${sequence}` }))).QueueUrl ?? "";
      const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
      queueUrl =
        (
          await sqs.send(
            new CreateQueueCommand({
              QueueName: `raw-events-${sequence}`,
              Attributes: { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "1" }) },
            }),
          )
        ).QueueUrl ?? "";
    });

    function world(canary: string | undefined) {
      const cloudwatch = new CloudWatchClient({ region: "eu-central-1" });
      const sns = new SNSClient({ region: "eu-central-1" });
      const cw = mockClient(cloudwatch);
      cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: canary === undefined ? [] : [{ AlarmName: "p-eu-central-1-canary", StateValue: canary as "OK" }] });
      const topics = mockClient(sns);
      topics.on(PublishCommand).resolves({ MessageId: "m" });
      const config: RedriverConfig = {
        dlqUrl,
        queueUrl,
        canaryAlarmName: "p-eu-central-1-canary",
        maxRedrives: 2,
        maxMessagesPerRun: 100,
        alertTopicArn: "arn:aws:sns:eu-central-1:123456789012:alerts",
        ticketTopicArn: "arn:aws:sns:eu-central-1:123456789012:tickets",
        region: "eu-central-1",
      };
      const deps = { sqs, cloudwatch, sns, config, log: () => undefined };
      const published = () => topics.commandCalls(PublishCommand).map((c) => c.args[0].input);
      const described = () => cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
      return { deps, published, described };
    }

    /** Dead-letters a body the way SQS does: received and never deleted until maxReceiveCount (1) is used up. */
    async function deadLetter(body: string): Promise<void> {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    }

    const depth = async (url: string) =>
      Number(
        (
          await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
          )
        ).Attributes?.ApproximateNumberOfMessages ?? 0,
      );

    it("leaves dead letters where they are while the canary fails", async () => {
      await deadLetter("upload-1");
      assert.equal(await depth(dlqUrl), 1);
      const { deps, published, described } = world("ALARM");
      const outcome = await redriveDeadLetters(deps);
      assert.equal(outcome.action, "waited");
      assert.equal(await depth(dlqUrl), 1);
      assert.deepEqual(published(), []);
      assert.deepEqual(described(), [{ AlarmNames: ["p-eu-central-1-canary"], AlarmTypes: ["MetricAlarm"] }]);
    });

    it("moves them back once the canary passes, counting each redrive, and tells the on-call", async () => {
      await deadLetter("upload-2");
      const { deps, published } = world("OK");
      assert.deepEqual(await redriveDeadLetters(deps), { action: "redrove", moved: 1, gaveUp: 0, notMoved: 0 });
      assert.equal(await depth(dlqUrl), 0);
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }));
      assert.equal(Messages?.[0]?.Body, "upload-2");
      assert.equal(Messages?.[0]?.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue, "1");
      const alerts = published();
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0].TopicArn, "arn:aws:sns:eu-central-1:123456789012:alerts");
      assert.match(alerts[0].Subject ?? "", /moved 1 dead letter/);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages?.[0]?.ReceiptHandle ?? "" }));
    });

    it("gives up on a message after maxRedrives, sets it aside and asks for one ticket", async () => {
      await deadLetter("poison");
      const { deps, published } = world("OK");
      // Each redrive sends it back; each time it fails again and SQS dead-letters it with its count.
      for (const expected of [1, 2]) {
        assert.equal((await redriveDeadLetters(deps)).action, "redrove");
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }));
        assert.equal(Messages?.[0]?.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue, String(expected));
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
      }
      assert.equal(await depth(dlqUrl), 1, "dead-lettered a third time");
      const third = await redriveDeadLetters(deps);
      assert.deepEqual(third, { action: "redrove", moved: 0, gaveUp: 1, notMoved: 0 });
      assert.equal(await depth(dlqUrl), 0, "set aside (invisible for 12 hours), not deleted");
      const tickets = published().filter((p) => p.TopicArn === "arn:aws:sns:eu-central-1:123456789012:tickets");
      assert.equal(tickets.length, 1);
      const request = parseTicketRequest(tickets[0].Message ?? "");
      assert.equal(request.source, "dlq-redriver");
      assert.equal(request.dedupeKey, "dlq-redriver:eu-central-1:gave-up");
      assert.match(request.description, /poison/);
      // The next run neither resends nor re-tickets it.
      const again = await redriveDeadLetters(deps);
      assert.deepEqual(again, { action: "redrove", moved: 0, gaveUp: 0, notMoved: 0 });
    });
  });
});
