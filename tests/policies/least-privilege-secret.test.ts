// least-privilege-role on the database secret: the exact ARN, or the master
// secret RDS manages for the function's own instance (RDS's secret pattern
// pinned by the aws:rds:primaryDBInstanceArn tag). The second form is what a
// first preview sees, with DB_SECRET_ARN unknown; anything broader fails.
import { strict as assert } from "node:assert";
import { leastPrivilegeRole } from "../../policies/iam";
import type { Json, PlanFile } from "../../toolchain/plan/plan-stack";
import { goodPlan, UNKNOWN, withResource } from "./fixture";
import { blocking, names, runPolicy, type Diagnostic } from "./harness";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const FN = `${REGION}-thumbnails`;
const PATTERN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-*`;
const CONDITION_KEY = "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn";
const instanceArn = (region: string, identifier: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${identifier}`;
const OWN_INSTANCE = instanceArn(REGION, `tp-${REGION}-db`);

type Grant = Record<string, Json>;

/** Form (b): GetSecretValue on RDS's pattern, pinned to one instance. */
function pinnedGrant(instance: string, resource: string = PATTERN): Grant {
  return { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: resource, Condition: { StringEquals: { [CONDITION_KEY]: instance } } };
}

interface Variant {
  /** Replaces the role policy's GetSecretValue statement. */
  grant: Grant;
  /** DB_SECRET_ARN of the function; unknown as on a first preview unless given. */
  secretArn?: string;
  /** Whether the function's environment is computed from its region's DB instance (the program's wiring). */
  fromInstance?: boolean;
}

/** The fixture plan with the thumbnails function of us-east-1 wired as the program wires an RDS-managed database. */
function variant(v: Variant): PlanFile {
  const base = goodPlan();
  const instance = base.resources.find((r) => r.name === `${REGION}-db`)?.urn as string;
  const withGrant = withResource(base, `${FN}-policy`, (r) => {
    const doc = JSON.parse(r.props.policy as string) as { Statement: Grant[] };
    doc.Statement = [...doc.Statement.filter((s) => !JSON.stringify(s.Action).includes("secretsmanager:")), v.grant];
    r.props.policy = JSON.stringify(doc);
  });
  return withResource(withGrant, FN, (r) => {
    (r.props.environment as Record<string, Record<string, Json>>).variables.DB_SECRET_ARN = v.secretArn ?? UNKNOWN;
    if (v.fromInstance !== false) r.propertyDependencies.environment = [instance];
  });
}

async function findings(plan: PlanFile): Promise<Diagnostic[]> {
  return blocking(await runPolicy(leastPrivilegeRole, plan));
}

async function assertFails(plan: PlanFile, text: RegExp): Promise<void> {
  const found = await findings(plan);
  assert.ok(
    found.some((d) => d.message.startsWith(`${REGION}:`) && text.test(d.message)),
    `expected a finding matching ${text}, got:\n${found.map((d) => d.message).join("\n")}`,
  );
}

describe("least-privilege-role: the database secret", () => {
  it("passes the RDS-managed form pinned to the function's own instance while DB_SECRET_ARN is unknown (a first preview)", async () => {
    assert.deepEqual(names(await findings(variant({ grant: pinnedGrant(OWN_INSTANCE) }))), []);
  });

  it("passes the RDS-managed form once the secret exists, when the ARN is one of RDS's in that region", async () => {
    const created = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-0f1e2d3c-AbCdEf`;
    assert.deepEqual(names(await findings(variant({ grant: pinnedGrant(OWN_INSTANCE), secretArn: created }))), []);
    await assertFails(
      variant({ grant: pinnedGrant(OWN_INSTANCE), secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:pg-AbCdEf` }),
      /does not allow secretsmanager:GetSecretValue on .*secret:pg-AbCdEf/,
    );
  });

  it("fails the RDS-managed form whose condition names another instance, in this region or another", async () => {
    await assertFails(variant({ grant: pinnedGrant(instanceArn(REGION, "someone-elses-db")) }), /DB_SECRET_ARN is unknown at preview time/);
    const elsewhere = instanceArn("eu-central-1", "tp-eu-central-1-db");
    await assertFails(
      variant({ grant: pinnedGrant(elsewhere, `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:rds!db-*`) }),
      /DB_SECRET_ARN is unknown at preview time/,
    );
  });

  it("fails the RDS pattern without the condition, or with a condition allowing several instances", async () => {
    await assertFails(
      variant({ grant: { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: PATTERN } }),
      /DB_SECRET_ARN is unknown at preview time/,
    );
    const several = pinnedGrant(OWN_INSTANCE);
    several.Condition = { StringEquals: { [CONDITION_KEY]: [OWN_INSTANCE, instanceArn(REGION, "other-db")] } };
    await assertFails(variant({ grant: several }), /DB_SECRET_ARN is unknown at preview time/);
  });

  it("fails secret:* and a wildcard action, whether the ARN is known or not", async () => {
    const everySecret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:*`;
    const known = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-1234-AbCdEf`;
    await assertFails(
      variant({ grant: { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: everySecret }, secretArn: known }),
      /does not allow secretsmanager:GetSecretValue on .*rds!db-1234-AbCdEf/,
    );
    await assertFails(variant({ grant: pinnedGrant(OWN_INSTANCE, everySecret) }), /DB_SECRET_ARN is unknown at preview time/);
    const wildcard = { ...pinnedGrant(OWN_INSTANCE), Action: ["secretsmanager:*"] };
    await assertFails(variant({ grant: wildcard }), /wildcard action secretsmanager:\*/);
    await assertFails(variant({ grant: wildcard }), /DB_SECRET_ARN is unknown at preview time/);
  });

  it("fails an unknown DB_SECRET_ARN when the function's environment does not come from the pinned instance", async () => {
    const found = await findings(variant({ grant: pinnedGrant(OWN_INSTANCE), fromInstance: false }));
    assert.deepEqual(names(found), [`least-privilege-role@${FN}`]);
    assert.match(
      found[0].message,
      /^us-east-1: us-east-1-thumbnails \(aws:lambda\/function:Function\): props\.environment\.variables\.DB_SECRET_ARN is unknown at preview time/,
    );
  });

  it("fails an unknown DB_SECRET_ARN granted by exact ARN only (the grant cannot be checked against it)", async () => {
    const exact = {
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-1234-AbCdEf`,
    };
    await assertFails(variant({ grant: exact }), /DB_SECRET_ARN is unknown at preview time/);
  });
});
