// ARNs built from what is known before anything exists: the partition, region
// and account (data sources, answered at preview) and the explicit physical
// names the program gives. Policy documents built from these are fully known
// on a stack's first `pulumi preview`, so the policy pack can verify them; a
// resource's `arn` output is unknown until the resource is created.

/** Where a regional resource lives. */
export interface ArnScope {
  partition: string;
  region: string;
  accountId: string;
}

export function regionalArn(scope: ArnScope, service: string, resource: string): string {
  return `arn:${scope.partition}:${service}:${scope.region}:${scope.accountId}:${resource}`;
}

/** S3 bucket ARNs carry neither region nor account. */
export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

export function queueArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "sqs", name);
}

export function topicArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "sns", name);
}

/** As the `arn` attribute of a LogGroup reports it: without the trailing `:*`. */
export function logGroupArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "logs", `log-group:${name}`);
}

export function lambdaFunctionArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "lambda", `function:${name}`);
}

export function alarmArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "cloudwatch", `alarm:${name}`);
}

/** `name` is the full parameter name with its leading slash (or a prefix of names). */
export function ssmParameterArn(scope: ArnScope, name: string): string {
  if (!name.startsWith("/")) throw new Error(`SSM parameter name "${name}" must start with "/" (a path-style name)`);
  return regionalArn(scope, "ssm", `parameter${name}`);
}

export function dbInstanceArn(scope: ArnScope, identifier: string): string {
  return regionalArn(scope, "rds", `db:${identifier}`);
}

/**
 * Every master secret RDS manages in this account and region: RDS names them
 * `rds!db-<uuid>` and Secrets Manager appends a random suffix, so the exact ARN
 * exists only after the instance. Grants on this pattern must be pinned to one
 * instance by its `aws:rds:primaryDBInstanceArn` tag (iam-policies.ts).
 */
export function rdsManagedSecretArnPattern(scope: ArnScope): string {
  return regionalArn(scope, "secretsmanager", "secret:rds!db-*");
}

export function dbParameterGroupArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "rds", `pg:${name}`);
}

export function deliveryStreamArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "firehose", `deliverystream/${name}`);
}

export function logDestinationArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "logs", `destination:${name}`);
}

export function eventBusArn(scope: ArnScope, name: string): string {
  return regionalArn(scope, "events", `event-bus/${name}`);
}
