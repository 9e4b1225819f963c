// The RDS calls: read and set max_connections in the instance's DB parameter
// group, and reboot when the stack allows it.
import { DescribeDBParametersCommand, ModifyDBParameterGroupCommand, RebootDBInstanceCommand, type RDSClient } from "@aws-sdk/client-rds";

/**
 * The group's max_connections when it holds a number; undefined when it holds
 * the engine default (a formula like `LEAST({DBInstanceClassMemory/9531392},5000)`).
 */
export async function readConfiguredMaxConnections(rds: RDSClient, parameterGroup: string): Promise<number | undefined> {
  let marker: string | undefined;
  do {
    const out = await rds.send(
      new DescribeDBParametersCommand({
        DBParameterGroupName: parameterGroup,
        Filters: [{ Name: "parameter-name", Values: ["max_connections"] }],
        ...(marker !== undefined ? { Marker: marker } : {}),
      }),
    );
    const found = out.Parameters?.find((p) => p.ParameterName === "max_connections");
    if (found !== undefined) {
      const value = found.ParameterValue;
      return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
    }
    marker = out.Marker;
  } while (marker !== undefined);
  return undefined;
}

/** max_connections is static: the new value applies at the next reboot. */
export async function setMaxConnections(rds: RDSClient, parameterGroup: string, value: number): Promise<void> {
  await rds.send(
    new ModifyDBParameterGroupCommand({
      DBParameterGroupName: parameterGroup,
      Parameters: [{ ParameterName: "max_connections", ParameterValue: String(value), ApplyMethod: "pending-reboot" }],
    }),
  );
}

export async function rebootInstance(rds: RDSClient, instanceId: string): Promise<void> {
  await rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: instanceId }));
}
