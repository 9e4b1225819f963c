// How a function's role may grant GetSecretValue on its secret, for
// least-privilege-role. Two forms are exact enough:
//  (a) the secret's own ARN, equal to the function's environment value;
//  (b) for the master secret RDS manages for an instance: RDS's secret pattern
//      `arn:<partition>:secretsmanager:<region>:<account>:secret:rds!db-*` with a
//      `StringEquals` condition pinning `aws:rds:primaryDBInstanceArn`, the tag
//      RDS puts on the secrets it manages, to ONE instance's ARN. That covers
//      exactly that instance's master secret, and is known before RDS creates
//      the secret (whose ARN ends in a random suffix). Which instance the
//      function really uses is for the caller to establish.
// Anything broader (no condition, several instances, `secret:*`, a wildcard
// action) is neither form. Pure: statements in, decisions out.
import { globMatch, namesAction, stringEqualsValue, type Statement } from "./support/iam-statements";

export const GET_SECRET_VALUE = "secretsmanager:GetSecretValue";
export const RDS_PRIMARY_INSTANCE_CONDITION_KEY = "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn";

export interface DbInstanceRef {
  arn: string;
  partition: string;
  region: string;
  account: string;
  identifier: string;
}

const DB_INSTANCE_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):db:([A-Za-z][A-Za-z0-9-]*)$/;

export function parseDbInstanceArn(arn: string): DbInstanceRef | undefined {
  const m = DB_INSTANCE_ARN.exec(arn);
  return m ? { arn, partition: m[1], region: m[2], account: m[3], identifier: m[4] } : undefined;
}

/** Every RDS-managed master secret in the instance's account and region. */
export function rdsManagedSecretPattern(instance: DbInstanceRef): string {
  return `arn:${instance.partition}:secretsmanager:${instance.region}:${instance.account}:secret:rds!db-*`;
}

/** Form (a): GetSecretValue named on exactly this secret ARN. */
export function grantsExactSecret(statements: Statement[], secretArn: string): boolean {
  return statements.some((s) => namesAction(s, GET_SECRET_VALUE) && s.resources.includes(secretArn));
}

/** Form (b): the instances whose RDS-managed master secret the statements grant, each pinned by condition. */
export function rdsManagedSecretGrants(statements: Statement[]): DbInstanceRef[] {
  return statements.flatMap((s) => {
    if (!namesAction(s, GET_SECRET_VALUE)) return [];
    const pinned = stringEqualsValue(s, RDS_PRIMARY_INSTANCE_CONDITION_KEY);
    const instance = pinned === undefined ? undefined : parseDbInstanceArn(pinned);
    return instance && s.resources.includes(rdsManagedSecretPattern(instance)) ? [instance] : [];
  });
}

/** Is a known secret ARN one RDS manages in the instance's account and region (so form (b) can cover it)? */
export function isRdsManagedSecretOf(instance: DbInstanceRef, secretArn: string): boolean {
  return globMatch(rdsManagedSecretPattern(instance), secretArn);
}
