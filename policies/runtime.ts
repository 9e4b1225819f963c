// Function runtime guardrails: no deprecated runtime (a build that cannot be
// redeployed is the story's months-old failing build, waiting to happen), and
// no memory above a cap (a function that needs ever more memory is leaking).
import { resourcePolicy, stackPolicy, type PolicySpec } from "./support/define";
import { envOf, num, str } from "./support/props";
import { T } from "./support/resources";
import { utcToday } from "./waivers";

/** Lambda runtimes and the day AWS deprecates them (AWS Lambda runtimes page). */
export const RUNTIME_DEPRECATION: Record<string, string> = {
  "nodejs10.x": "2021-07-30",
  "nodejs12.x": "2023-03-31",
  "nodejs14.x": "2023-12-04",
  "nodejs16.x": "2024-06-12",
  "nodejs18.x": "2025-09-01",
  "nodejs20.x": "2026-04-30",
  "nodejs22.x": "2027-04-30",
  "python3.7": "2023-12-04",
  "python3.8": "2024-10-14",
  "python3.9": "2025-12-15",
  "python3.10": "2026-06-30",
  java8: "2024-01-08",
  "go1.x": "2024-01-08",
  provided: "2024-01-08",
  "ruby2.7": "2023-12-07",
  "ruby3.2": "2026-03-31",
  dotnet6: "2024-12-20",
  dotnet7: "2024-05-14",
};

export const supportedRuntimeSpec: PolicySpec = {
  name: "supported-runtime",
  description: "No function uses a Lambda runtime past its AWS deprecation date.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: "Move the function (and the build's target, toolchain/build) to a supported runtime such as nodejs22.x, rebuild and redeploy.",
};

export const supportedRuntime = resourcePolicy(supportedRuntimeSpec, (fn, ctx) => {
  if (fn.type !== T.lambda) return;
  const runtime = ctx.inspect(fn, () => str(fn.props.runtime));
  const deprecated = runtime === undefined ? undefined : RUNTIME_DEPRECATION[runtime];
  if (runtime !== undefined && deprecated !== undefined && deprecated <= utcToday()) {
    ctx.report(fn, `${fn.region}: ${fn.name} uses ${runtime}, deprecated by AWS on ${deprecated}: it can no longer be updated safely`);
  }
});

/** Above this, a function is more likely mis-sized or leaking than needing the memory (Lambda's limit before 2020). */
export const DEFAULT_MEMORY_CAP_MB = 3008;

export interface MemoryCapConfig {
  /** The cap for every function (default 3008 MB). */
  maxMemoryMb?: number;
  /**
   * An environment variable that carries the region's cap on one of its
   * functions (an OOM remediator's own limit, say): where a function of the
   * region has it, its value is the cap there, so the program states the cap once.
   */
  capFromEnvironment?: string;
}

export const memoryCapSpec: PolicySpec = {
  name: "memory-cap",
  description: `No function is configured with more memory than the cap: the pack config's maxMemoryMb (${DEFAULT_MEMORY_CAP_MB} MB by default), or the region's value of the environment variable capFromEnvironment names.`,
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Lower memorySize to the cap; a function that needs more is leaking or mis-sized: fix the cause, or raise the cap for every region deliberately.",
  config: {
    maxMemoryMb: { type: "integer", minimum: 128, maximum: 10240, description: "memory cap in MB" },
    capFromEnvironment: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "an environment variable name" },
  },
};

export const memoryCap = stackPolicy<MemoryCapConfig>(memoryCapSpec, (stack, ctx, config) => {
  const functions = stack.ofType(T.lambda);
  const caps = new Map<string, number>();
  const variable = config.capFromEnvironment;
  if (variable !== undefined) {
    for (const fn of functions) {
      const cap = ctx.inspect(fn, () => num(envOf(fn.props)[variable]));
      if (cap !== undefined) caps.set(stack.regionLabel(fn), cap);
    }
  }
  for (const fn of functions) {
    const region = stack.regionLabel(fn);
    const cap = caps.get(region) ?? config.maxMemoryMb ?? DEFAULT_MEMORY_CAP_MB;
    const memory = ctx.inspect(fn, () => num(fn.props.memorySize) ?? 128);
    if (memory !== undefined && memory > cap) {
      ctx.report(fn, `${region}: ${fn.name} has memorySize ${memory} MB, above the cap ${cap} MB`);
    }
  }
});
