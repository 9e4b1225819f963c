// What every module of a RegionalPipeline needs: the config, the region, the
// explicit provider and the component as parent.
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { BuildManifest } from "../../handlers/build-manifest";
import type { ArnScope } from "../arns";
import type { PipelineConfig, RegionConfig } from "../config";
import { logicalName } from "../naming";

export interface RegionContext {
  cfg: PipelineConfig;
  region: RegionConfig;
  provider: aws.Provider;
  parent: pulumi.Resource;
  accountId: string;
  /** "aws", "aws-cn", ...: from getPartition, so ARNs hold in every partition. */
  partition: string;
  manifest: BuildManifest;
  commit: string;
  /** dist/ relative to the working directory the engine runs the program in (posix separators). */
  distDir: string;
}

export function opts(ctx: RegionContext, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return { parent: ctx.parent, provider: ctx.provider, ...extra };
}

/** `<region>-<role>`: the logical name region-parity compares. */
export function nameOf(ctx: RegionContext, role: string): string {
  return logicalName(ctx.region.name, role);
}

export function baseTags(ctx: RegionContext, role: string): Record<string, string> {
  return {
    "pipeline:stack": ctx.cfg.stack,
    "pipeline:region": ctx.region.name,
    "pipeline:role": role,
    ...(ctx.region.residency ? { "pipeline:residency": ctx.region.residency } : {}),
  };
}

/** Partition, region and account of this context's resources, for ARNs known at preview (see arns.ts). */
export function arnScope(ctx: RegionContext): ArnScope {
  return { partition: ctx.partition, region: ctx.region.name, accountId: ctx.accountId };
}
