// Everything the offline plan and check take from the Pulumi SDKs beyond their
// public, typed API, in one place. An upgrade of @pulumi/* may move any of
// these at once; tests/toolchain/pulumi-internals.test.ts checks each against
// the installed SDK and says in one line what stops working when one moved.
// Nothing else in toolchain/ may reach into @pulumi/*'s internals.
import type * as pulumiModule from "@pulumi/pulumi";

// --- The generated Analyzer protocol stubs (@pulumi/pulumi/proto: generated
// code with no declared API) and the protobuf runtime they are built on. The
// check speaks to a pack exactly as the CLI does through these.
export * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
export { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
export type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
export { Empty } from "google-protobuf/google/protobuf/empty_pb";
export { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";

/** The script the CLI's Node.js language host runs a policy pack with, resolved from the pack's folder. */
export const RUN_POLICY_PACK = "@pulumi/pulumi/cmd/run-policy-pack";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One RegisterResource call as the program made it, with what the mocks answered. */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string | null;
  provider: string | null;
  /** The package version the SDK registered the resource with ("" when none). */
  version: string;
  props: Record<string, Json>;
  outputs: Record<string, Json>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

// --- The mock monitor. Relied on: under setMocks, runtime.getMonitor()
// returns the SDK's MockMonitor, the SDK calls its registerResource(request,
// callback) as a method of that object for every resource, and the request
// and response are the generated RegisterResourceRequest/Response.
interface PropertyDependencies {
  getUrnsList(): string[];
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getVersion(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (value: PropertyDependencies, key: string) => void): void };
  getObject(): { toJavaScript(): Record<string, Json> } | undefined;
}
interface RegisterResponse {
  getUrn(): string;
  getObject(): { toJavaScript(): Record<string, Json> } | undefined;
}
type Callback = (err: unknown, resp?: RegisterResponse) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
}

export class MocksNotInstalledError extends Error {}

/** Calls `listener` with every resource the program registers from now on under this @pulumi/pulumi's mocks, in order. */
export function onMockRegistration(pulumi: typeof pulumiModule, listener: (registration: Registration) => void): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike | undefined;
  if (!monitor || typeof monitor.registerResource !== "function") throw new MocksNotInstalledError("Pulumi mocks are not installed");
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, resp) => {
      if (!err && resp) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
          propertyDependencies[key] = [...deps.getUrnsList()].sort();
        });
        listener({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent() || null,
          provider: req.getProvider() || null,
          version: req.getVersion(),
          props: req.getObject()?.toJavaScript() ?? {},
          outputs: resp.getObject()?.toJavaScript() ?? {},
          dependencies: [...new Set(req.getDependenciesList())].sort(),
          propertyDependencies,
        });
      }
      callback(err, resp);
    });
}

// --- The SDK's drain of outstanding RPCs: exported by its runtime (settings.js) but not declared in its types.
type RuntimeInternals = { waitForRPCs?: () => Promise<void> };

/** Resolves once every RPC the program has started has finished (what the language host awaits before exiting). */
export function waitForRPCs(pulumi: typeof pulumiModule): Promise<void> {
  const drain = (pulumi.runtime as unknown as RuntimeInternals).waitForRPCs;
  if (typeof drain !== "function") throw new Error("@pulumi/pulumi's runtime no longer exports waitForRPCs");
  return drain();
}

// --- Stack traces. The SDK captures and formats a stack trace for every
// resource and every internal promise (source positions, leak reports); that
// is most of a plan's time and a plan reads none of them. Relied on: the SDK
// registers resources just the same when every stack is an empty string.

/** Until the returned function runs, stacks are empty strings (error messages are kept). */
export function muteStackTraces(): () => void {
  const sourceMaps = process.sourceMapsEnabled;
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  process.setSourceMapsEnabled(false);
  Error.prepareStackTrace = () => "";
  // No frames captured for the per-promise traces either (the SDK raises the limit itself where it wants a source position).
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
    process.setSourceMapsEnabled(sourceMaps);
  };
}
