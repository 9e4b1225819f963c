// The max_connections floor in SSM: the Pulumi program reads it so the next
// `pulumi up` keeps the raised value in the parameter group.
import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";

export async function writeMaxConnectionsFloor(ssm: SSMClient, name: string, value: number, why: string): Promise<void> {
  await ssm.send(
    new PutParameterCommand({
      Name: name,
      Value: String(value),
      Type: "String",
      Overwrite: true,
      Description: `max_connections floor kept by the Pulumi program. ${why}`.slice(0, 1024),
    }),
  );
}
