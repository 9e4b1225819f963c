// Regions and jurisdictions. The region of a resource on a default provider is
// the stack's `aws:region` (the engine passes the stack's config to the pack in
// PULUMI_CONFIG, as to a program), else the environment the AWS provider would
// read. A jurisdiction is the legal area a region's data belongs to; built in:
// the region's geography (eu, us, ap, ca, sa, me, af, il, mx), with GovCloud,
// ISO and China regions as their own. Pack config may map any region otherwise.
/** An AWS region code: "eu-central-1", "us-gov-west-1", "cn-north-1". */
export const REGION_RE = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

export function isRegion(s: string): boolean {
  return REGION_RE.test(s);
}

/** The stack's config as the engine hands it to the pack: PULUMI_CONFIG, a JSON map of `namespace:key` to value. */
function stackConfigValue(env: NodeJS.ProcessEnv, key: string): string | undefined {
  if (!env.PULUMI_CONFIG) return undefined;
  try {
    const value = (JSON.parse(env.PULUMI_CONFIG) as Record<string, unknown>)[key];
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Where the default AWS provider deploys: `aws:region` of the stack, else AWS_REGION / AWS_DEFAULT_REGION. */
export function defaultProviderRegion(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return stackConfigValue(env, "aws:region") ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
}

/** The built-in jurisdiction of a region: "eu" for eu-central-1, "us-gov" for us-gov-west-1, "cn" for cn-north-1. */
export function builtInJurisdiction(region: string): string {
  const m = /^([a-z]{2}(?:-gov|-iso[a-z]?)?)-/.exec(region);
  return m ? m[1] : region;
}

/** Region code from an ARN (`arn:aws:logs:eu-west-1:123:...`), if it has one. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts.length > 4 && parts[0] === "arn" && isRegion(parts[3]) ? parts[3] : undefined;
}

/** Every spelling of a region a name may carry: `eu-central-1`, `eucentral1`, `eu_central_1`. */
export function regionTokens(region: string): string[] {
  return [region, region.replace(/-/g, ""), region.replace(/-/g, "_")];
}
