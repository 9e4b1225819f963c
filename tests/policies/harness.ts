// Runs policies the way @pulumi/policy's server does, without the server:
// Analyze gets each resource's inputs and AnalyzeStack its outputs (its state
// after the step; a plan without outputs gives the inputs), as the engine
// sends them. Properties go through the same wire encoding as `npm run check`,
// then the runtime's deserializeProperties and unknownCheckingProxy; resources
// get their parent, dependencies and property dependencies as objects, and
// violations are collected in both forms reportViolation accepts. So a policy
// under test sees exactly what it sees inside `pulumi preview`.
import type { EnforcementLevel, Policy, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
// Installs the pack's wrapper that keeps the engine's archive hashes, as loading the pack does.
import "../../policies/support/archive-hash";
import { deserializeProperties, unknownCheckingProxy } from "../../policies/support/runtime";
import type { PlanFile, PlanResource } from "../../toolchain/plan/plan-stack";
import { encodeProperties, indexProviders, providerUrn } from "../../toolchain/check/encode";

export interface Diagnostic {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn?: string;
  message: string;
}

type AnyPolicy = Policy & Partial<Pick<ResourceValidationPolicy, "validateResource">> & Partial<Pick<StackValidationPolicy, "validateStack">>;

function runtimeProps(props: Record<string, unknown>): Record<string, unknown> {
  return unknownCheckingProxy(deserializeProperties(encodeProperties(props), false));
}

/** PolicyResource objects as server.js builds them for AnalyzeStack, from each resource's outputs. */
export function policyResources(plan: PlanFile): PolicyResource[] {
  const providers = indexProviders(plan);
  const byUrn = new Map<string, PolicyResource>();
  const out = plan.resources.map((r) => {
    const provider = r.provider ? providers.get(providerUrn(r.provider)) : undefined;
    const res: PolicyResource = {
      type: r.type,
      urn: r.urn,
      name: r.name,
      props: runtimeProps(r.outputs ?? r.props),
      opts: {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
      },
      dependencies: [],
      propertyDependencies: {},
      ...(provider ? { provider: { type: provider.type, urn: provider.urn, name: provider.name, props: runtimeProps(provider.props) } } : {}),
      isType: () => false,
      asType: () => undefined,
    };
    byUrn.set(r.urn, res);
    return res;
  });
  plan.resources.forEach((r: PlanResource, i) => {
    const res = out[i];
    if (r.parent) res.parent = byUrn.get(r.parent);
    res.dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    for (const [k, urns] of Object.entries(r.propertyDependencies)) {
      if (urns.length === 0) continue;
      res.propertyDependencies[k] = urns.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
  });
  return out;
}

/** Runs one policy over a plan (each resource, then the stack) with its config; returns what it reported. */
export async function runPolicy(policy: AnyPolicy, plan: PlanFile, config: Record<string, unknown> = {}): Promise<Diagnostic[]> {
  const found: Diagnostic[] = [];
  const level = policy.enforcementLevel ?? "advisory";
  const report = (message: string | { name?: string; message?: string; urn?: string; enforcementLevel?: EnforcementLevel }, urn?: string) => {
    if (typeof message === "object") {
      found.push({
        policy: message.name ?? policy.name,
        enforcementLevel: message.enforcementLevel ?? level,
        urn: message.urn,
        message: message.message ?? policy.description,
      });
    } else {
      found.push({ policy: policy.name, enforcementLevel: level, urn, message: `${policy.description}\n${message}` });
    }
  };
  const common = {
    getConfig: <T extends object>() => config as T,
    stackTags: new Map<string, string>(),
    notApplicable: (): never => {
      throw new Error("not applicable");
    },
  };
  if (policy.validateResource) {
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    const providers = indexProviders(plan);
    for (const r of plan.resources) {
      const provider = r.provider ? providers.get(providerUrn(r.provider)) : undefined;
      for (const validate of validations) {
        await validate(
          {
            ...common,
            type: r.type,
            urn: r.urn,
            name: r.name,
            props: runtimeProps(r.props),
            opts: {
              protect: false,
              ignoreChanges: [],
              aliases: [],
              customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
              additionalSecretOutputs: [],
            },
            ...(provider ? { provider: { type: provider.type, urn: provider.urn, name: provider.name, props: runtimeProps(provider.props) } } : {}),
            isType: () => false,
            asType: () => undefined,
          },
          report,
        );
      }
    }
  }
  if (policy.validateStack) await policy.validateStack({ ...common, resources: policyResources(plan) }, report);
  return found;
}

/** Violations that block a deployment (mandatory), as `policy@resource-name: first line`. */
export function blocking(ds: Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.enforcementLevel === "mandatory");
}

export function names(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.policy}@${d.urn ? d.urn.slice(d.urn.lastIndexOf("::") + 2) : "(stack)"}`);
}
