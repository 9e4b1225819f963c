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

/**
 * An alias as the program sent it: an old URN, or the parts of one the engine
 * fills in from the resource (name, type, project, stack; `parent` an old
 * parent's URN, null for "no parent", absent for the resource's own parent).
 */
export type RegisteredAlias = { urn: string } | { name?: string; type?: string; project?: string; stack?: string; parent?: string | null };

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
  aliases: RegisteredAlias[];
}

// --- The mock monitor. Relied on: under setMocks, runtime.getMonitor()
// returns the SDK's MockMonitor, the SDK calls its registerResource(request,
// callback) as a method of that object for every resource, the request and
// response are the generated RegisterResourceRequest/Response, and the
// monitor names a new resource through its own newUrn(parent, type, name)
// method (runtime/mocks.js).
interface PropertyDependencies {
  getUrnsList(): string[];
}
interface AliasSpecMessage {
  getName(): string;
  getType(): string;
  getStack(): string;
  getProject(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}
interface AliasMessage {
  hasUrn(): boolean;
  getUrn(): string;
  getSpec(): AliasSpecMessage | undefined;
}
interface RegisterRequest {
  getAliasesList(): AliasMessage[];
  getAliasurnsList(): string[];
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
  newUrn?: (parent: string, type: string, name: string) => string;
}

export class MocksNotInstalledError extends Error {}

/** The request's aliases: structured ones (what the SDK sends a monitor supporting alias specs), else plain URNs. */
function aliasesOf(req: RegisterRequest): RegisteredAlias[] {
  const out: RegisteredAlias[] = req.getAliasurnsList().map((urn) => ({ urn }));
  for (const a of req.getAliasesList()) {
    const spec = a.getSpec();
    if (a.hasUrn()) out.push({ urn: a.getUrn() });
    else if (spec) {
      const parts = { name: spec.getName(), type: spec.getType(), project: spec.getProject(), stack: spec.getStack() };
      const given = Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== ""));
      const parent = spec.getNoparent() ? { parent: null } : spec.getParenturn() !== "" ? { parent: spec.getParenturn() } : {};
      out.push({ ...given, ...parent });
    }
  }
  // The SDK dedups aliases by identity, the engine by the URN they name: one entry per alias here.
  return out.filter((a, i) => out.findIndex((b) => JSON.stringify(b) === JSON.stringify(a)) === i);
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * The mock monitor puts only the parent's own type before a child's type; the
 * engine puts the parent's whole type chain there (pkg/resource/deploy
 * deployment.go generateURN), which changes every URN two components deep.
 */
function nameAsTheEngineDoes(monitor: MonitorLike): void {
  if (typeof monitor.newUrn !== "function")
    throw new MocksNotInstalledError("the Pulumi mock monitor has no newUrn: @pulumi/pulumi changed how mocks name resources");
  const newUrn = monitor.newUrn.bind(monitor);
  monitor.newUrn = (parent, type, name) => {
    const parentType = parent ? parent.split("::")[2] : undefined;
    return newUrn("", parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type, name);
  };
}

/**
 * Calls `listener` with every resource the program registers from now on
 * under this @pulumi/pulumi's mocks, in order, each named (URN) as the engine
 * names it and with the aliases it was registered with.
 */
export function onMockRegistration(pulumi: typeof pulumiModule, listener: (registration: Registration) => void): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike | undefined;
  if (!monitor || typeof monitor.registerResource !== "function") throw new MocksNotInstalledError("Pulumi mocks are not installed");
  nameAsTheEngineDoes(monitor);
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
          aliases: aliasesOf(req),
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
