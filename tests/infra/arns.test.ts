// ARNs built from names must be the ARNs AWS gives the resources once they
// exist, or a policy would name the wrong thing: checked against AWS's own
// ARN formats (the Service Authorization Reference), not against the plan
// mocks, which this project wrote too.
import assert from "node:assert/strict";
import {
  alarmArn,
  bucketArn,
  dbInstanceArn,
  dbParameterGroupArn,
  deliveryStreamArn,
  lambdaFunctionArn,
  logDestinationArn,
  logGroupArn,
  queueArn,
  rdsManagedSecretArnPattern,
  ssmParameterArn,
  topicArn,
} from "../../infra/arns";
import { documentedArn } from "../support/aws-arn-formats";

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

  it("equal the ARN formats AWS documents for each resource type, in every partition", async () => {
    for (const scope of [
      eu,
      { partition: "aws-cn", region: "cn-north-1", accountId: "210987654321" },
      { partition: "aws-us-gov", region: "us-gov-west-1", accountId: "111122223333" },
    ]) {
      const doc = (service: string, type: string, name: string) => documentedArn(service, type, { ...scope, name });
      assert.equal(bucketArn(scope.partition, "raw"), await doc("s3", "bucket", "raw"));
      assert.equal(queueArn(scope, "q"), await doc("sqs", "queue", "q"));
      assert.equal(topicArn(scope, "t"), await doc("sns", "topic", "t"));
      assert.equal(logGroupArn(scope, "/aws/lambda/f"), await doc("logs", "log-group", "/aws/lambda/f"));
      assert.equal(lambdaFunctionArn(scope, "f"), await doc("lambda", "function", "f"));
      assert.equal(alarmArn(scope, "f-oom"), await doc("cloudwatch", "alarm", "f-oom"));
      assert.equal(ssmParameterArn(scope, "/a/b"), await doc("ssm", "parameter", "/a/b"));
      assert.equal(dbInstanceArn(scope, "db"), await doc("rds", "db", "db"));
      assert.equal(dbParameterGroupArn(scope, "pg"), await doc("rds", "pg", "pg"));
      assert.equal(deliveryStreamArn(scope, "s"), await doc("firehose", "deliverystream", "s"));
      assert.equal(logDestinationArn(scope, "d"), await doc("logs", "destination", "d"));
      assert.equal(rdsManagedSecretArnPattern(scope), await doc("secretsmanager", "secret", "rds!db-*"));
    }
  });
});
