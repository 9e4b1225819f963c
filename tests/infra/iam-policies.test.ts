import assert from "node:assert/strict";
import { FUNCTION_NAMES } from "../../infra/config";
import { functionPolicy, RDS_PRIMARY_INSTANCE_CONDITION_KEY, type PolicyInputs } from "../../infra/iam-policies";

const inputs: PolicyInputs = {
  logGroupArn: "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/fn",
  inVpc: true,
  rawBucketArn: "arn:aws:s3:::raw",
  thumbnailsBucketArn: "arn:aws:s3:::thumbs",
  queueArn: "arn:aws:sqs:eu-central-1:123456789012:q",
  dlqArn: "arn:aws:sqs:eu-central-1:123456789012:q-dlq",
  eventBusArn: "arn:aws:events:eu-central-1:123456789012:event-bus/default",
  uploadPrefix: "uploads/",
  canaryAlarmArn: "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:p-eu-central-1-canary",
  dbSecret: {
    kind: "rds-managed",
    secretArnPattern: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-*",
    dbInstanceArn: "arn:aws:rds:eu-central-1:123456789012:db:db",
  },
  alertTopicArn: "arn:aws:sns:eu-central-1:123456789012:alerts",
  ticketTopicArn: "arn:aws:sns:eu-central-1:123456789012:tickets",
  remediableFunctionArns: ["arn:aws:lambda:eu-central-1:123456789012:function:a"],
  oomAlarmArns: ["arn:aws:cloudwatch:eu-central-1:123456789012:alarm:a-oom"],
  memoryFloorParameterArnPrefix: "arn:aws:ssm:eu-central-1:123456789012:parameter/thumbnail-pipeline/dev/eu-central-1/memory-floor/",
  maxConnectionsFloorParameterArn: "arn:aws:ssm:eu-central-1:123456789012:parameter/thumbnail-pipeline/dev/eu-central-1/max-connections-floor",
  dbParameterGroupArn: "arn:aws:rds:eu-central-1:123456789012:pg:pg",
  dbInstanceArn: "arn:aws:rds:eu-central-1:123456789012:db:db",
  allowReboot: false,
  asyncFailureQueueArn: "arn:aws:sqs:eu-central-1:123456789012:async-failures",
};

const actionsOf = (fn: (typeof FUNCTION_NAMES)[number], p: PolicyInputs = inputs) =>
  functionPolicy(fn, p)
    .Statement.flatMap((s) => s.Action)
    .sort();

describe("least-privilege function policies", () => {
  it("never grants a wildcard action", () => {
    for (const fn of FUNCTION_NAMES)
      for (const a of actionsOf(fn, { ...inputs, allowReboot: true, jiraSecretArn: "arn:aws:secretsmanager:x" })) assert.doesNotMatch(a, /\*/, `${fn}: ${a}`);
  });

  it("gives thumbnails read on raw, write on thumbnails, its queue and the DB secret", () => {
    const doc = functionPolicy("thumbnails", inputs);
    const byAction = (a: string) => doc.Statement.find((s) => s.Action.includes(a))?.Resource;
    assert.equal(byAction("s3:GetObject"), "arn:aws:s3:::raw/*");
    assert.equal(byAction("s3:GetObjectVersion"), "arn:aws:s3:::raw/*", "the exact version of the event");
    assert.equal(byAction("s3:PutObject"), "arn:aws:s3:::thumbs/*");
    assert.equal(byAction("sqs:ReceiveMessage"), inputs.queueArn);
    assert.equal(byAction("logs:PutLogEvents"), `${inputs.logGroupArn}:*`);
  });

  it("lets dlq-redriver drain exactly its DLQ into its queue, read the canary alarm and publish alerts and tickets", () => {
    const doc = functionPolicy("dlq-redriver", { ...inputs, inVpc: false });
    assert.deepEqual(
      doc.Statement.slice(1).map((st) => [st.Action, st.Resource]),
      [
        [["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"], inputs.dlqArn],
        [["sqs:SendMessage"], inputs.queueArn],
        [["cloudwatch:DescribeAlarms"], inputs.canaryAlarmArn],
        [["sns:Publish"], [inputs.alertTopicArn, inputs.ticketTopicArn]],
        [["sqs:SendMessage"], inputs.asyncFailureQueueArn],
      ],
    );
  });

  it("grants an RDS-managed secret on RDS's secret pattern only for the secret tagged with this instance's ARN", () => {
    for (const fn of ["thumbnails", "migrate", "db-guard", "canary"] as const) {
      const grants = functionPolicy(fn, inputs).Statement.filter((s) => s.Action.includes("secretsmanager:GetSecretValue"));
      assert.deepEqual(
        grants,
        [
          {
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-*",
            Condition: { StringEquals: { [RDS_PRIMARY_INSTANCE_CONDITION_KEY]: "arn:aws:rds:eu-central-1:123456789012:db:db" } },
          },
        ],
        fn,
      );
    }
    assert.equal(RDS_PRIMARY_INSTANCE_CONDITION_KEY, "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn");
  });

  it("grants an existing database's secret by its exact ARN, without condition", () => {
    const secretArn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:pg-AbCdEf";
    const grants = functionPolicy("migrate", { ...inputs, dbSecret: { kind: "exact", secretArn } }).Statement.filter((s) =>
      s.Action.includes("secretsmanager:GetSecretValue"),
    );
    assert.deepEqual(grants, [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArn }]);
  });

  it("lets db-guard reboot only when the stack allows it", () => {
    assert.ok(!actionsOf("db-guard").includes("rds:RebootDBInstance"));
    const allowed = functionPolicy("db-guard", { ...inputs, allowReboot: true }).Statement.find((s) => s.Action.includes("rds:RebootDBInstance"));
    assert.equal(allowed?.Resource, inputs.dbInstanceArn);
  });

  it("lets the OOM remediator re-arm only the region's OOM alarms", () => {
    const rearm = functionPolicy("oom-remediator", inputs).Statement.find((s) => s.Action.includes("cloudwatch:SetAlarmState"));
    assert.deepEqual(rearm?.Resource, inputs.oomAlarmArns);
  });

  it("keeps the canary under its prefix and functions outside the VPC without ENI rights", () => {
    const canary = functionPolicy("canary", inputs).Statement.filter((s) => s.Action.some((a) => a.startsWith("s3:") && a !== "s3:ListBucket"));
    for (const s of canary) assert.match(String(s.Resource), /\/canary\/\*$/);
    assert.deepEqual(functionPolicy("canary", inputs).Statement.find((s) => s.Action.includes("s3:ListBucket"))?.Resource, inputs.thumbnailsBucketArn);
    assert.ok(!actionsOf("oom-remediator", { ...inputs, inVpc: false }).some((a) => a.startsWith("ec2:")));
  });

  it("lets only asynchronously invoked functions send failed events to the async-failures queue", () => {
    for (const fn of FUNCTION_NAMES) {
      const send = functionPolicy(fn, inputs).Statement.filter((s) => s.Action.includes("sqs:SendMessage"));
      const own = fn === "dlq-redriver" ? [inputs.queueArn] : [];
      assert.deepEqual(
        send.map((s) => s.Resource),
        fn === "thumbnails" || fn === "migrate" || fn === "api" ? [] : [...own, inputs.asyncFailureQueueArn],
        fn,
      );
    }
  });

  it("reads the Jira secret only when ticketing is configured", () => {
    assert.deepEqual(actionsOf("ticket-opener", { ...inputs, inVpc: false }), ["logs:CreateLogStream", "logs:PutLogEvents", "sns:Publish", "sqs:SendMessage"]);
    assert.ok(actionsOf("ticket-opener", { ...inputs, inVpc: false, jiraSecretArn: "arn:aws:secretsmanager:x" }).includes("secretsmanager:GetSecretValue"));
  });

  it("needs the database secret only for the functions that read it, and says which one lacks it", () => {
    const { dbSecret: _omitted, ...withoutSecret } = inputs;
    for (const fn of ["oom-remediator", "ticket-opener"] as const) assert.ok(!actionsOf(fn, withoutSecret).includes("secretsmanager:GetSecretValue"), fn);
    for (const fn of ["thumbnails", "migrate", "db-guard", "canary"] as const)
      assert.throws(() => functionPolicy(fn, withoutSecret), new RegExp(`^Error: ${fn} reads the database secret`));
  });
});
