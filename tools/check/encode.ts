// Turns plan resources into Analyzer protocol messages the way the Pulumi
// engine does (pkg analyzer_plugin.go: MarshalProperties with KeepUnknowns,
// KeepSecrets and SkipInternalKeys): plan props are already in wire form
// (unknowns as the engine's sentinel string, secrets/assets/archives as
// signature objects), so encoding keeps them as they are and drops only
// internal `__` keys and undefined values.
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import type { PlanFile, PlanResource } from "../plan/plan-stack";

/** The engine's sentinel for a value unknown during preview (plugin.UnknownStringValue). */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function clean(value: unknown): JavaScriptValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map((v) => clean(v) ?? null);
  if (typeof value === "object") {
    const out: Record<string, JavaScriptValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k.startsWith("__")) continue;
      const c = clean(v);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  throw new Error(`cannot encode a ${typeof value} property value`);
}

export function encodeProperties(props: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(clean(props) as Record<string, JavaScriptValue>);
}

/** The URN part of a provider reference `<urn>::<id>`. */
export function providerUrn(ref: string): string {
  const i = ref.lastIndexOf("::");
  return ref.startsWith("urn:") && ref.slice(0, i).split("::").length >= 4 ? ref.slice(0, i) : ref;
}

function resourceOptions(r: PlanResource): analyzer.AnalyzerResourceOptions {
  const opts = new analyzer.AnalyzerResourceOptions();
  opts.setProtect(false);
  opts.setIgnorechangesList([]);
  opts.setDeletebeforereplacedefined(false);
  opts.setAdditionalsecretoutputsList([]);
  opts.setAliasesList([]);
  const timeouts = new analyzer.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(0);
  timeouts.setUpdate(0);
  timeouts.setDelete(0);
  opts.setCustomtimeouts(timeouts);
  if (r.parent) opts.setParent(r.parent);
  return opts;
}

/** Provider resources by URN, to send each resource's provider with its properties as the engine does. */
export function indexProviders(plan: PlanFile): Map<string, PlanResource> {
  return new Map(plan.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
}

function providerOf(r: PlanResource, providers: Map<string, PlanResource>): analyzer.AnalyzerProviderResource | undefined {
  if (!r.provider) return undefined;
  const urn = providerUrn(r.provider);
  const known = providers.get(urn);
  const p = new analyzer.AnalyzerProviderResource();
  p.setUrn(urn);
  p.setType(known?.type ?? urn.split("::")[2] ?? "");
  p.setName(known?.name ?? urn.split("::").pop() ?? "");
  p.setProperties(encodeProperties(known?.props ?? {}));
  return p;
}

export function analyzeRequest(r: PlanResource, providers: Map<string, PlanResource>): analyzer.AnalyzeRequest {
  const req = new analyzer.AnalyzeRequest();
  req.setUrn(r.urn);
  req.setType(r.type);
  req.setName(r.name);
  req.setProperties(encodeProperties(r.props));
  req.setOptions(resourceOptions(r));
  const provider = providerOf(r, providers);
  if (provider) req.setProvider(provider);
  return req;
}

export function stackResource(r: PlanResource, providers: Map<string, PlanResource>): analyzer.AnalyzerResource {
  const res = new analyzer.AnalyzerResource();
  res.setUrn(r.urn);
  res.setType(r.type);
  res.setName(r.name);
  res.setProperties(encodeProperties(r.props));
  res.setOptions(resourceOptions(r));
  const provider = providerOf(r, providers);
  if (provider) res.setProvider(provider);
  if (r.parent) res.setParent(r.parent);
  res.setDependenciesList(r.dependencies);
  const deps = res.getPropertydependenciesMap();
  for (const [key, urns] of Object.entries(r.propertyDependencies)) {
    // The engine skips properties without dependencies.
    if (urns.length === 0) continue;
    const d = new analyzer.AnalyzerPropertyDependencies();
    d.setUrnsList(urns);
    deps.set(key, d);
  }
  return res;
}
