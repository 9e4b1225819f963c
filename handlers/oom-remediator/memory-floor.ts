// The memory floor in SSM Parameter Store: the Pulumi program reads it so the
// next `pulumi up` keeps a raised memory; its LastModifiedDate is the time of
// the last completed raise (see decide.ts).
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { MemoryFloorRecord } from "./decide";

export type FloorReadResult = { floor: MemoryFloorRecord | undefined; problem?: string };

export async function readMemoryFloor(ssm: SSMClient, name: string): Promise<FloorReadResult> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    const value = out.Parameter?.Value;
    const recordedAt = out.Parameter?.LastModifiedDate;
    const floorMb = Number(value);
    if (!Number.isInteger(floorMb) || floorMb <= 0 || recordedAt === undefined) {
      // An unreadable floor is ignored (and overwritten by the next raise) rather than blocking remediation.
      return { floor: undefined, problem: `parameter ${name} holds ${JSON.stringify(value)}, expected a whole number of MB` };
    }
    return { floor: { floorMb, recordedAt } };
  } catch (err) {
    if (err instanceof ParameterNotFound) return { floor: undefined };
    throw err;
  }
}

export async function writeMemoryFloor(ssm: SSMClient, name: string, memoryMb: number, why: string): Promise<void> {
  await ssm.send(
    new PutParameterCommand({
      Name: name,
      Value: String(memoryMb),
      Type: "String",
      Overwrite: true,
      // Descriptions are limited to 1024 characters.
      Description: `Memory floor (MB) kept by the Pulumi program. ${why}`.slice(0, 1024),
    }),
  );
}
