// Function runtime guardrails: no deprecated runtime (a build that cannot be
// redeployed is the story's months-old failing build, waiting to happen), and
// no memory above the cap the OOM remediator stops at.
import { resourcePolicy, stackPolicy, type PolicySpec } from "./support/define";
import { envOf, num, str } from "./support/props";
import { T, regionLabel, regionOf } from "./support/resources";
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
  "java8": "2024-01-08",
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
  remediationSteps: "Move the function (and the build's target, tools/build) to a supported runtime such as nodejs22.x, rebuild and redeploy.",
};

export const supportedRuntime = resourcePolicy(supportedRuntimeSpec, (fn, ctx) => {
  if (fn.type !== T.lambda) return;
  const runtime = ctx.inspect(fn, () => str(fn.props.runtime));
  const deprecated = runtime === undefined ? undefined : RUNTIME_DEPRECATION[runtime];
  if (runtime !== undefined && deprecated !== undefined && deprecated <= utcToday()) {
    ctx.report(fn, `${fn.name} uses ${runtime}, deprecated by AWS on ${deprecated}: it can no longer be updated safely`);
  }
});

/** The cap the remediator raises memory to (docs/contracts.md: MEMORY_CAP_MB, 1024). */
export const DEFAULT_MEMORY_CAP_MB = 1024;

export const memoryCapSpec: PolicySpec = {
  name: "memory-cap",
  description: `No function is configured with more memory than the OOM remediator's cap (MEMORY_CAP_MB of the region's oom-remediator, ${DEFAULT_MEMORY_CAP_MB} MB by default).`,
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Lower memorySize to the cap; a function that needs more is leaking or mis-sized: fix the cause, or raise remediation.memoryCapMb for every region deliberately.",
};

export const memoryCap = stackPolicy(memoryCapSpec, (stack, ctx) => {
  const functions = stack.ofType(T.lambda);
  const caps = new Map<string, number>();
  for (const fn of functions) {
    const cap = ctx.inspect(fn, () => num(envOf(fn.props).MEMORY_CAP_MB));
    if (cap !== undefined) caps.set(regionLabel(fn), cap);
  }
  for (const fn of functions) {
    const cap = caps.get(regionOf(fn) ?? "(global)") ?? DEFAULT_MEMORY_CAP_MB;
    const memory = ctx.inspect(fn, () => num(fn.props.memorySize) ?? 128);
    if (memory !== undefined && memory > cap) {
      ctx.report(fn, `${regionLabel(fn)}: ${fn.name} has memorySize ${memory} MB, above the remediation cap ${cap} MB`);
    }
  }
});
