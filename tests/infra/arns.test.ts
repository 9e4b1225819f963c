// ARNs built from names must equal the `arn` outputs AWS reports once the
// resources exist (the shared plan mocks model them), or a policy would name
// the wrong thing.
import assert from "node:assert/strict";
import { alarmArn, bucketArn, dbInstanceArn, dbParameterGroupArn, deliveryStreamArn, lambdaFunctionArn, logDestinationArn, logGroupArn, queueArn, rdsManagedSecretArnPattern, ssmParameterArn, topicArn } from "../../infra/arns";
import type * as pulumi from "@pulumi/pulumi";
import { MOCK_ACCOUNT_ID, AwsMocks } from "../../toolchain/plan/mocks";

const eu = { partition: "aws", region: "eu-central-1", accountId: "123456789012" };

describe("ARNs known before the resources exist", () => {
  it("follow each service's ARN format, in the given partition", () => {
    assert.equal(bucketArn("aws-cn", "raw"), "arn:aws-cn:s3:::raw");
    assert.equal(queueArn(eu, "q"), "arn:aws:sqs:eu-central-1:123456789012:q");
    assert.equal(topicArn({ ...eu, partition: "aws-us-gov" }, "t"), "arn:aws-us-gov:sns:eu-central-1:123456789012:t");
    assert.equal(logGroupArn(eu, "/aws/lambda/f"), "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/f");
    assert.equal(lambdaFunctionArn(eu, "f"), "arn:aws:lambda:eu-central-1:123456789012:function:f");
    assert.equal(alarmArn(eu, "f-oom"), "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:f-oom");
    assert.equal(ssmParameterArn(eu, "/a/b"), "arn:aws:ssm:eu-central-1:123456789012:parameter/a/b");
    assert.equal(dbInstanceArn(eu, "db"), "arn:aws:rds:eu-central-1:123456789012:db:db");
    assert.equal(rdsManagedSecretArnPattern({ ...eu, partition: "aws-cn" }), "arn:aws-cn:secretsmanager:eu-central-1:123456789012:secret:rds!db-*");
    assert.equal(dbParameterGroupArn(eu, "pg"), "arn:aws:rds:eu-central-1:123456789012:pg:pg");
    assert.equal(deliveryStreamArn(eu, "s"), "arn:aws:firehose:eu-central-1:123456789012:deliverystream/s");
    assert.equal(logDestinationArn(eu, "d"), "arn:aws:logs:eu-central-1:123456789012:destination:d");
  });

  it("refuses an SSM name that is not path-style, naming it", () => {
    assert.throws(() => ssmParameterArn(eu, "floor"), /SSM parameter name "floor" must start with "\/"/);
  });

  it("equal the `arn` the shared plan mocks report for the created resource", () => {
    const mocks = new AwsMocks();
    const created = (type: string, inputs: Record<string, unknown>) =>
      mocks.newResource({ type, name: "logical", inputs, custom: true } as pulumi.runtime.MockResourceArgs).state.arn;
    // Without a provider the mocks place resources in us-east-1.
    const us = { partition: "aws", region: "us-east-1", accountId: MOCK_ACCOUNT_ID };
    assert.equal(created("aws:s3/bucket:Bucket", { bucket: "raw" }), bucketArn("aws", "raw"));
    assert.equal(created("aws:sqs/queue:Queue", { name: "q" }), queueArn(us, "q"));
    assert.equal(created("aws:sns/topic:Topic", { name: "t" }), topicArn(us, "t"));
    assert.equal(created("aws:cloudwatch/logGroup:LogGroup", { name: "/aws/lambda/f" }), logGroupArn(us, "/aws/lambda/f"));
    assert.equal(created("aws:lambda/function:Function", { name: "f" }), lambdaFunctionArn(us, "f"));
    assert.equal(created("aws:cloudwatch/metricAlarm:MetricAlarm", { name: "f-oom" }), alarmArn(us, "f-oom"));
    assert.equal(created("aws:rds/instance:Instance", { identifier: "db" }), dbInstanceArn(us, "db"));
    assert.equal(created("aws:rds/parameterGroup:ParameterGroup", { name: "pg" }), dbParameterGroupArn(us, "pg"));
    assert.equal(created("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", { name: "s" }), deliveryStreamArn(us, "s"));
    assert.equal(created("aws:cloudwatch/logDestination:LogDestination", { name: "d" }), logDestinationArn(us, "d"));
  });
});
