// The plan mocks answer every created resource with the ARN AWS would give
// it, in the partition, region and account of its provider: checked against
// AWS's own ARN formats (the Service Authorization Reference).
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { AwsMocks, MOCK_ACCOUNT_ID } from "../../../toolchain/plan/mocks";
import { documentedArn } from "../../support/aws-arn-formats";

describe("the plan mocks' ARNs", () => {
  it("follow the formats AWS documents for each resource type", async () => {
    const mocks = new AwsMocks();
    const created = (type: string, inputs: Record<string, unknown>) =>
      mocks.newResource({ type, name: "logical", inputs, custom: true } as pulumi.runtime.MockResourceArgs).state.arn;
    // Without a provider the mocks place resources in us-east-1.
    const doc = (service: string, resourceType: string, name: string) =>
      documentedArn(service, resourceType, { partition: "aws", region: "us-east-1", accountId: MOCK_ACCOUNT_ID, name });
    assert.equal(created("aws:s3/bucket:Bucket", { bucket: "raw" }), await doc("s3", "bucket", "raw"));
    assert.equal(created("aws:sqs/queue:Queue", { name: "q" }), await doc("sqs", "queue", "q"));
    assert.equal(created("aws:sns/topic:Topic", { name: "t" }), await doc("sns", "topic", "t"));
    assert.equal(created("aws:cloudwatch/logGroup:LogGroup", { name: "/aws/lambda/f" }), await doc("logs", "log-group", "/aws/lambda/f"));
    assert.equal(created("aws:lambda/function:Function", { name: "f" }), await doc("lambda", "function", "f"));
    assert.equal(created("aws:cloudwatch/metricAlarm:MetricAlarm", { name: "f-oom" }), await doc("cloudwatch", "alarm", "f-oom"));
    assert.equal(created("aws:rds/instance:Instance", { identifier: "db" }), await doc("rds", "db", "db"));
    assert.equal(created("aws:rds/parameterGroup:ParameterGroup", { name: "pg" }), await doc("rds", "pg", "pg"));
    assert.equal(created("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", { name: "s" }), await doc("firehose", "deliverystream", "s"));
    assert.equal(created("aws:cloudwatch/logDestination:LogDestination", { name: "d" }), await doc("logs", "destination", "d"));
  });
});
