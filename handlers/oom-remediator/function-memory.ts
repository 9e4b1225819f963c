// The two Lambda calls the remediator makes, narrowed to what it needs.
import {
  GetFunctionConfigurationCommand,
  PreconditionFailedException,
  ResourceConflictException,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import type { FunctionMemoryState } from "./decide";

export async function readFunctionMemory(lambda: LambdaClient, functionName: string): Promise<FunctionMemoryState> {
  const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  if (out.MemorySize === undefined || out.RevisionId === undefined || out.LastModified === undefined) {
    throw new Error(`GetFunctionConfiguration for ${functionName} returned no MemorySize, RevisionId or LastModified`);
  }
  // Lambda writes LastModified as ISO 8601 with a "+0000" offset.
  const lastModified = new Date(out.LastModified);
  if (Number.isNaN(lastModified.getTime())) {
    throw new Error(`GetFunctionConfiguration for ${functionName}: unreadable LastModified "${out.LastModified}"`);
  }
  return { memoryMb: out.MemorySize, revisionId: out.RevisionId, lastModified };
}

export type SetMemoryResult = { ok: true; revisionId: string | undefined } | { ok: false; conflict: string };

/**
 * Sets the memory only if the function is still at `revisionId`. A changed
 * revision (PreconditionFailedException) or an update already in progress
 * (ResourceConflictException) is a conflict the caller resolves by re-reading.
 */
export async function setFunctionMemory(lambda: LambdaClient, functionName: string, memoryMb: number, revisionId: string): Promise<SetMemoryResult> {
  try {
    const out = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, MemorySize: memoryMb, RevisionId: revisionId }));
    return { ok: true, revisionId: out.RevisionId };
  } catch (err) {
    if (err instanceof PreconditionFailedException || err instanceof ResourceConflictException) {
      return { ok: false, conflict: `${err.name}: ${err.message}` };
    }
    throw err;
  }
}
