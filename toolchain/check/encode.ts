// Turns plan resources into Analyzer protocol messages the way the Pulumi
// engine does (pkg/resource/plugin analyzer_plugin.go: MarshalProperties with
// KeepUnknowns, KeepSecrets and SkipInternalKeys, and without KeepResources).
// Plan props are the program's registration in wire form (unknowns as the
// engine's sentinel string, secrets/assets/archives/resource references as
// signature objects). Encoding keeps unknowns, secrets, assets and archives as
// they are, turns a resource reference into what the engine sends without
// KeepResources (the referenced custom resource's id, unknown while the id is,
// or a component's URN), resolves an output value to its value, and drops
// internal `__` keys and undefined values.
import type { PlanFile, PlanResource } from "../plan/plan-stack";
import { SIGNATURE_KEY, SIGNATURES, UNKNOWN } from "../plan/wire";
import { analyzer, type JavaScriptValue, Struct } from "../pulumi-internals";

/** The engine's sentinel for a value unknown during preview (plugin.UnknownStringValue). */
export const UNKNOWN_SENTINEL = UNKNOWN;
export { SIGNATURE_KEY, SIGNATURES };

export class EncodeError extends Error {}

type Wire = Record<string, unknown>;

/** What the engine sends for a resource reference without KeepResources. */
function referenceValue(ref: Wire, at: string): string {
  if (typeof ref.urn !== "string" || ref.urn === "") throw new EncodeError(`${at}: a resource reference without a URN`);
  if (!("id" in ref) || ref.id === undefined || ref.id === null) return ref.urn;
  if (typeof ref.id !== "string") throw new EncodeError(`${at}: a resource reference whose id is not a string`);
  return ref.id === "" || ref.id === UNKNOWN_SENTINEL ? UNKNOWN_SENTINEL : ref.id;
}

function signed(value: Wire, sig: unknown, at: string): JavaScriptValue | undefined {
  switch (sig) {
    case SIGNATURES.resourceReference:
      return referenceValue(value, at);
    case SIGNATURES.outputValue: {
      // Known: its value (still secret if it was); unknown: the sentinel.
      if (!("value" in value) || value.value === UNKNOWN_SENTINEL) return UNKNOWN_SENTINEL;
      const inner = clean(value.value, `${at}.value`);
      return value.secret === true ? { [SIGNATURE_KEY]: SIGNATURES.secret, value: inner ?? null } : inner;
    }
    case SIGNATURES.secret:
    case SIGNATURES.asset:
    case SIGNATURES.archive:
      return cleanObject(value, at);
    default:
      throw new EncodeError(
        `${at}: unrecognized signature ${JSON.stringify(sig)}; the engine accepts assets, archives, secrets, resource references and output values`,
      );
  }
}

function cleanObject(value: Wire, at: string): Record<string, JavaScriptValue> {
  const out: Record<string, JavaScriptValue> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith("__")) continue;
    const c = clean(v, `${at}.${k}`);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

function clean(value: unknown, at: string): JavaScriptValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map((v, i) => clean(v, `${at}[${i}]`) ?? null);
  if (typeof value === "object") {
    const obj = value as Wire;
    return SIGNATURE_KEY in obj ? signed(obj, obj[SIGNATURE_KEY], at) : cleanObject(obj, at);
  }
  throw new EncodeError(`${at}: cannot encode a ${typeof value} property value`);
}

/** The props in the form the engine sends them to a pack. `at` names the resource in errors. */
export function encodeProperties(props: Record<string, unknown>, at = "props"): Struct {
  return Struct.fromJavaScript(cleanObject(props, at));
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
  p.setProperties(encodeProperties(known?.props ?? {}, urn));
  return p;
}

export function analyzeRequest(r: PlanResource, providers: Map<string, PlanResource>): analyzer.AnalyzeRequest {
  const req = new analyzer.AnalyzeRequest();
  req.setUrn(r.urn);
  req.setType(r.type);
  req.setName(r.name);
  req.setProperties(encodeProperties(r.props, r.urn));
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
  // Unlike Analyze, AnalyzeStack gets each resource's state after its step: its outputs.
  res.setProperties(encodeProperties(r.outputs ?? r.props, r.urn));
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
