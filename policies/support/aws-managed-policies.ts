// What the common AWS managed policies allow, so that what a role needs is
// judged against every policy attached to it, AWS managed ones included.
// AWS publishes each document (the AWS Managed Policy Reference); the stack
// holds only the ARN. The table lists, per policy (its name after `policy/`,
// path included), the actions it allows on every resource ("*"), or for
// PowerUserAccess what its NotAction leaves out. An entry may list fewer
// actions than AWS grants (AWS adds actions over time, and only the service's
// own actions matter here), never more: a missing action makes a finding the
// team can answer with pack config, an extra one would hide a missing grant.
// Documents the table does not know come from pack config
// (least-privilege-role.awsManagedPolicies), which wins over the table.
import { allowStatements, type Statement } from "./iam-statements";

type Grant = { actions: string[] } | { notActions: string[] };

const LAMBDA_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"];

const TABLE: Record<string, Grant[]> = {
  AdministratorAccess: [{ actions: ["*"] }],
  PowerUserAccess: [{ notActions: ["iam:*", "organizations:*", "account:*"] }],
  AmazonS3FullAccess: [{ actions: ["s3:*", "s3-object-lambda:*"] }],
  AmazonS3ReadOnlyAccess: [{ actions: ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"] }],
  AmazonSQSFullAccess: [{ actions: ["sqs:*"] }],
  AmazonSNSFullAccess: [{ actions: ["sns:*"] }],
  AmazonDynamoDBFullAccess: [{ actions: ["dynamodb:*", "dax:*"] }],
  AmazonKinesisFullAccess: [{ actions: ["kinesis:*"] }],
  AWSLambda_FullAccess: [{ actions: ["lambda:*"] }],
  CloudWatchFullAccess: [{ actions: ["cloudwatch:*", "logs:*"] }],
  CloudWatchFullAccessV2: [{ actions: ["cloudwatch:*", "logs:*"] }],
  CloudWatchEventsFullAccess: [{ actions: ["events:*"] }],
  AmazonCognitoPowerUser: [{ actions: ["cognito-identity:*", "cognito-idp:*", "cognito-sync:*"] }],
  SecretsManagerReadWrite: [{ actions: ["secretsmanager:*"] }],
  AWSXrayWriteOnlyAccess: [
    {
      actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
    },
  ],
  "service-role/AWSLambdaBasicExecutionRole": [{ actions: LAMBDA_LOGS }],
  "service-role/AWSLambdaVPCAccessExecutionRole": [
    {
      actions: [
        ...LAMBDA_LOGS,
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
    },
  ],
  "service-role/AWSLambdaSQSQueueExecutionRole": [{ actions: [...LAMBDA_LOGS, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] }],
  "service-role/AWSLambdaDynamoDBExecutionRole": [
    { actions: [...LAMBDA_LOGS, "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"] },
  ],
  "service-role/AWSLambdaKinesisExecutionRole": [
    {
      actions: [
        ...LAMBDA_LOGS,
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
      ],
    },
  ],
  "service-role/AWSLambdaRole": [{ actions: ["lambda:InvokeFunction"] }],
  "service-role/AmazonECSTaskExecutionRolePolicy": [
    {
      actions: [
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
      ],
    },
  ],
};

const AWS_MANAGED_ARN = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

/** The name (with path) of an AWS managed policy's ARN, e.g. `service-role/AWSLambdaBasicExecutionRole`; undefined for any other ARN. */
export function awsManagedPolicyName(arn: string): string | undefined {
  return AWS_MANAGED_ARN.exec(arn)?.[1];
}

function statementsOf(grants: Grant[]): Statement[] {
  return grants.map((g) => ({
    actions: "actions" in g ? g.actions : [],
    resources: ["*"],
    notAction: "notActions" in g,
    notActions: "notActions" in g ? g.notActions : [],
    condition: {},
  }));
}

/**
 * What an AWS managed policy allows: its document from `configured` (pack
 * config, by name) if given there, else the table; undefined when neither knows it.
 */
export function awsManagedStatements(name: string, configured: Record<string, unknown> = {}): Statement[] | undefined {
  if (Object.prototype.hasOwnProperty.call(configured, name)) return allowStatements(configured[name]);
  return TABLE[name] ? statementsOf(TABLE[name]) : undefined;
}

/** Is this a policy document the pack can read (an object whose Statement is one statement or a list of them)? */
export function isPolicyDocument(document: unknown): boolean {
  if (typeof document !== "object" || document === null || Array.isArray(document)) return false;
  const statement = (document as Record<string, unknown>).Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.length > 0 && list.every((s) => typeof s === "object" && s !== null && !Array.isArray(s));
}
