// Least-privilege policy documents, one per function: exactly the actions its
// code calls (docs/contracts.md), on exactly its resources. Pure functions of
// resolved ARNs so tests read them without Pulumi; each function's spec module
// (infra/functions/<name>.ts) gives exactly the inputs its policy names.
import { CANARY_PREFIX, DATABASE_METRICS_NAMESPACE, type FunctionName } from "../contracts";

export interface Statement {
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/**
 * How a function's role may read the database secret:
 * - `exact`: the secret's ARN is known before deployment (an existing database, from config);
 * - `rds-managed`: the master secret RDS creates for one instance. Its ARN ends in a
 *   random suffix unknown until RDS creates it, so the grant names RDS's secret pattern
 *   and is pinned to the instance by the tag RDS puts on the secrets it manages.
 *   Both values are built from names, so the policy is known on a first preview.
 */
export type DbSecretGrant = { kind: "exact"; secretArn: string } | { kind: "rds-managed"; secretArnPattern: string; dbInstanceArn: string };

/** The tag RDS sets on a managed master secret, naming its instance (RDS User Guide, password management with Secrets Manager). */
export const RDS_PRIMARY_INSTANCE_CONDITION_KEY = "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn";

export interface PolicyInputs {
  logGroupArn: string;
  inVpc: boolean;
  rawBucketArn: string;
  thumbnailsBucketArn: string;
  queueArn: string;
  /** The raw-events queue's dead-letter queue, which dlq-redriver drains back into queueArn. */
  dlqArn: string;
  /** The canary alarm, whose state tells dlq-redriver the cause of the dead letters has gone. */
  canaryAlarmArn: string;
  /** The database secret; only the functions that read it need it. */
  dbSecret?: DbSecretGrant;
  alertTopicArn: string;
  ticketTopicArn: string;
  /** The region's pipeline functions whose memory the OOM remediator may raise. */
  remediableFunctionArns: string[];
  /** Their `-oom` alarms, which the remediator re-arms (SetAlarmState) so a lasting OOM fires again. */
  oomAlarmArns: string[];
  memoryFloorParameterArnPrefix: string;
  maxConnectionsFloorParameterArn: string;
  dbParameterGroupArn: string;
  dbInstanceArn: string;
  allowReboot: boolean;
  jiraSecretArn?: string;
  /** On-failure destination of asynchronous invocations; Lambda sends to it with the function's role. */
  asyncFailureQueueArn: string;
  /** The region's event bus, where result events (Thumbnails Ready / Failed) go. */
  eventBusArn: string;
  /** Key prefix of the raw bucket the API's upload forms are bound to (ends in "/"). */
  uploadPrefix: string;
}

/** The inputs of every function's policy: its log group and whether it runs in the VPC. */
type CommonInput = "logGroupArn" | "inVpc";

/** What else each function's policy names. */
interface FunctionInputKeys {
  thumbnails: "rawBucketArn" | "thumbnailsBucketArn" | "queueArn" | "dbSecret" | "eventBusArn";
  migrate: "dbSecret";
  "oom-remediator": "remediableFunctionArns" | "memoryFloorParameterArnPrefix" | "oomAlarmArns" | "alertTopicArn" | "ticketTopicArn" | "asyncFailureQueueArn";
  "db-guard":
    | "dbSecret"
    | "dbParameterGroupArn"
    | "allowReboot"
    | "dbInstanceArn"
    | "maxConnectionsFloorParameterArn"
    | "alertTopicArn"
    | "ticketTopicArn"
    | "asyncFailureQueueArn";
  canary: "rawBucketArn" | "thumbnailsBucketArn" | "dbSecret" | "ticketTopicArn" | "asyncFailureQueueArn";
  "ticket-opener": "jiraSecretArn" | "alertTopicArn" | "asyncFailureQueueArn";
  "dlq-redriver": "dlqArn" | "queueArn" | "canaryAlarmArn" | "alertTopicArn" | "ticketTopicArn" | "asyncFailureQueueArn";
  api: "rawBucketArn" | "uploadPrefix" | "dbSecret";
  "result-publisher": "dbSecret" | "eventBusArn" | "asyncFailureQueueArn";
}

/** The inputs function F's policy is built from. */
export type PolicyInputsFor<F extends FunctionName> = Pick<PolicyInputs, CommonInput | FunctionInputKeys[F]>;

/** What a spec module gives: all but the log group and the VPC flag, which the function itself fills in. */
export type SpecPolicyInputs<F extends FunctionName> = Omit<PolicyInputsFor<F>, CommonInput>;

/** Functions invoked asynchronously (EventBridge, SNS), which therefore send failed events to the async-failures queue. */
export const ASYNC_FUNCTIONS: readonly FunctionName[] = ["oom-remediator", "db-guard", "canary", "ticket-opener", "dlq-redriver", "result-publisher"];

/** Trust policy letting one AWS service assume a role. */
export function serviceTrustPolicy(service: string): {
  Version: "2012-10-17";
  Statement: { Effect: "Allow"; Principal: { Service: string }; Action: string }[];
} {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] };
}

function logs(p: Pick<PolicyInputs, "logGroupArn">): Statement {
  // The log group is created by the program, so the function only writes streams into it.
  return { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${p.logGroupArn}:*` };
}

function vpcAccess(): Statement {
  // Lambda manages the function's ENIs with the function's role; EC2 does not support
  // resource-level permissions for these Describe/Create calls, hence "*" as resource (never as action).
  return {
    Effect: "Allow",
    Action: [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ],
    Resource: "*",
  };
}

function putMetrics(namespace: string): Statement {
  // PutMetricData has no resource ARN; the namespace condition is its scope.
  return { Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": namespace } } };
}

function dbSecret(fn: FunctionName, p: Pick<PolicyInputs, "dbSecret">): Statement {
  const grant = p.dbSecret;
  if (!grant) throw new Error(`${fn} reads the database secret, but its policy inputs have no dbSecret`);
  return dbSecretStatement(grant);
}

/** GetSecretValue on the database secret, in the form the grant says; known at preview either way. */
export function dbSecretStatement(grant: DbSecretGrant): Statement {
  if (grant.kind === "exact") return { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: grant.secretArn };
  // Exactly the one instance's master secret: the pattern alone would cover every RDS-managed secret of the account.
  return {
    Effect: "Allow",
    Action: ["secretsmanager:GetSecretValue"],
    Resource: grant.secretArnPattern,
    Condition: { StringEquals: { [RDS_PRIMARY_INSTANCE_CONDITION_KEY]: grant.dbInstanceArn } },
  };
}

/** An asynchronously invoked function's on-failure destination: its inputs name the queue (FunctionInputKeys). */
function asyncFailures(fn: FunctionName, p: Partial<PolicyInputs>): Statement {
  if (!p.asyncFailureQueueArn) throw new Error(`${fn} is invoked asynchronously, but its policy inputs have no asyncFailureQueueArn`);
  return { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: p.asyncFailureQueueArn };
}

function putEvents(eventBusArn: string): Statement {
  return { Effect: "Allow", Action: ["events:PutEvents"], Resource: eventBusArn };
}

function publish(...topics: string[]): Statement {
  return { Effect: "Allow", Action: ["sns:Publish"], Resource: topics };
}

export function functionPolicy<F extends FunctionName>(fn: F, inputs: PolicyInputsFor<F>): PolicyDocument {
  const base = [logs(inputs), ...(inputs.inVpc ? [vpcAccess()] : [])];
  const specific: Statement[] = (() => {
    // Each case reads only what its function's inputs hold.
    const fnName: FunctionName = fn;
    switch (fnName) {
      case "thumbnails": {
        const p = inputs as PolicyInputsFor<"thumbnails">;
        return [
          // The handler reads the exact version the event announced.
          { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${p.rawBucketArn}/*` },
          { Effect: "Allow", Action: ["s3:PutObject"], Resource: `${p.thumbnailsBucketArn}/*` },
          // The event source mapping polls with the function's role.
          {
            Effect: "Allow",
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
            Resource: p.queueArn,
          },
          dbSecret(fn, p),
          // Result events right after a batch (the result-publisher sends what this misses).
          putEvents(p.eventBusArn),
        ] satisfies Statement[];
      }
      case "migrate":
        return [dbSecret(fn, inputs as PolicyInputsFor<"migrate">)];
      case "oom-remediator": {
        const p = inputs as PolicyInputsFor<"oom-remediator">;
        return [
          { Effect: "Allow", Action: ["lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"], Resource: p.remediableFunctionArns },
          { Effect: "Allow", Action: ["ssm:GetParameter", "ssm:PutParameter"], Resource: `${p.memoryFloorParameterArnPrefix}*` },
          { Effect: "Allow", Action: ["cloudwatch:SetAlarmState"], Resource: p.oomAlarmArns },
          publish(p.alertTopicArn, p.ticketTopicArn),
        ];
      }
      case "db-guard": {
        const p = inputs as PolicyInputsFor<"db-guard">;
        return [
          dbSecret(fn, p),
          putMetrics(DATABASE_METRICS_NAMESPACE),
          { Effect: "Allow", Action: ["rds:DescribeDBParameters", "rds:ModifyDBParameterGroup"], Resource: p.dbParameterGroupArn },
          ...(p.allowReboot ? [{ Effect: "Allow", Action: ["rds:RebootDBInstance"], Resource: p.dbInstanceArn } satisfies Statement] : []),
          { Effect: "Allow", Action: ["ssm:PutParameter"], Resource: p.maxConnectionsFloorParameterArn },
          publish(p.alertTopicArn, p.ticketTopicArn),
        ];
      }
      case "canary": {
        const p = inputs as PolicyInputsFor<"canary">;
        return [
          // Upload, check and remove its own object, every version of it, under the canary prefix only.
          {
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
            Resource: `${p.rawBucketArn}/${CANARY_PREFIX}*`,
          },
          { Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: `${p.thumbnailsBucketArn}/${CANARY_PREFIX}*` },
          // Lists its run folder; also makes S3 answer 404 (not 403) while a thumbnail is not there yet.
          { Effect: "Allow", Action: ["s3:ListBucket"], Resource: p.thumbnailsBucketArn },
          dbSecret(fn, p),
          // Its metrics go out as embedded-metric-format log lines, so no PutMetricData.
          publish(p.ticketTopicArn),
        ];
      }
      case "dlq-redriver": {
        const p = inputs as PolicyInputsFor<"dlq-redriver">;
        return [
          { Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"], Resource: p.dlqArn },
          { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: p.queueArn },
          { Effect: "Allow", Action: ["cloudwatch:DescribeAlarms"], Resource: p.canaryAlarmArn },
          publish(p.alertTopicArn, p.ticketTopicArn),
        ];
      }
      case "api": {
        const p = inputs as PolicyInputsFor<"api">;
        return [
          // A presigned POST carries the signer's permission: PutObject under the upload prefix only.
          // GetObject backs the HEAD that tells "processing" from "pending".
          { Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${p.rawBucketArn}/${p.uploadPrefix}*` },
          dbSecret(fn, p),
        ];
      }
      case "result-publisher": {
        const p = inputs as PolicyInputsFor<"result-publisher">;
        return [dbSecret(fn, p), putEvents(p.eventBusArn)];
      }
      case "ticket-opener": {
        const p = inputs as PolicyInputsFor<"ticket-opener">;
        return [
          ...(p.jiraSecretArn ? [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: p.jiraSecretArn } satisfies Statement] : []),
          publish(p.alertTopicArn),
        ];
      }
    }
  })();
  const failures: Statement[] = ASYNC_FUNCTIONS.includes(fn) ? [asyncFailures(fn, inputs as Partial<PolicyInputs>)] : [];
  return { Version: "2012-10-17", Statement: [...base, ...specific, ...failures] };
}
