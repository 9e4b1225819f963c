// What every part of a RegionalPipeline needs: the config, the region, the
// explicit provider and the component its resources belong to.
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { TAGS } from "../../contracts";
import type { BuildManifest } from "../../handlers/build-manifest";
import type { ArnScope } from "../arns";
import type { PipelineConfig, RegionConfig } from "../config";
import { logicalName } from "../naming";

export interface RegionContext {
  cfg: PipelineConfig;
  region: RegionConfig;
  provider: aws.Provider;
  /** The component the resources are created in. */
  parent: pulumi.Resource;
  /**
   * The component the resources were direct children of before the pipeline
   * was split into nested components (the RegionalPipeline): each resource
   * carries an alias to its URN under it, so existing stacks keep every
   * resource instead of replacing it.
   */
  formerParent?: pulumi.Resource;
  accountId: string;
  /** "aws", "aws-cn", ...: from getPartition, so ARNs hold in every partition. */
  partition: string;
  manifest: BuildManifest;
  commit: string;
  /** dist/ relative to the working directory the engine runs the program in (posix separators). */
  distDir: string;
}

/** The same region, with resources created in `component`. */
export function within(ctx: RegionContext, component: pulumi.Resource): RegionContext {
  return { ...ctx, parent: component };
}

export function opts(ctx: RegionContext, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  const moved = ctx.formerParent !== undefined && ctx.formerParent !== ctx.parent;
  return { parent: ctx.parent, provider: ctx.provider, ...(moved ? { aliases: [{ parent: ctx.formerParent }] } : {}), ...extra };
}

/** `<region>-<role>`: the logical name region-parity compares. */
export function nameOf(ctx: RegionContext, role: string): string {
  return logicalName(ctx.region.name, role);
}

/** Type token of the pipeline's nested components. */
export function componentType(name: string): string {
  return `thumbnail-pipeline:pipeline:${name}`;
}

export function baseTags(ctx: RegionContext, role: string): Record<string, string> {
  return {
    [TAGS.stack]: ctx.cfg.stack,
    [TAGS.region]: ctx.region.name,
    [TAGS.role]: role,
    ...(ctx.region.residency ? { [TAGS.residency]: ctx.region.residency } : {}),
  };
}

/** Partition, region and account of this context's resources, for ARNs known at preview (see arns.ts). */
export function arnScope(ctx: RegionContext): ArnScope {
  return { partition: ctx.partition, region: ctx.region.name, accountId: ctx.accountId };
}
