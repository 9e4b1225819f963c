// The same pipeline in every region: one component, built from nested
// components (pipeline/), so a region cannot differ from the others by
// construction. Its resources were once its direct children; each carries an
// alias to that URN (pipeline/context.ts), so existing stacks keep them.
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FUNCTION_NAMES, type FunctionName } from "../contracts";
import type { BuildManifest } from "../handlers/build-manifest";
import { decideRegion, type RegionFloors } from "./budget";
import type { PipelineConfig, RegionConfig } from "./config";
import { functionSpecs } from "./functions";
import { dashboardUrl, lambdaName } from "./naming";
import { Alerting } from "./pipeline/alerting";
import { RegionalApi } from "./pipeline/api";
import { Automation } from "./pipeline/automation";
import { nameOf, type RegionContext } from "./pipeline/context";
import type { RegionDashboardInput } from "./pipeline/dashboard";
import { PipelineDatabase } from "./pipeline/database";
import { Functions } from "./pipeline/functions";
import { LogShipping, type LogShippingTarget } from "./pipeline/logs";
import { Network } from "./pipeline/network";
import { Observability } from "./pipeline/observability";
import { Queueing } from "./pipeline/queue";
import { Storage } from "./pipeline/storage";

export type { RegionFloors };

export interface RegionalPipelineArgs {
  cfg: PipelineConfig;
  region: RegionConfig;
  provider: aws.Provider;
  accountId: string;
  partition: string;
  availabilityZones: string[];
  manifest: BuildManifest;
  commit: string;
  distDir: string;
  floors: RegionFloors;
  /** Where the region's log groups ship: the stack's archive of its jurisdiction, or an existing destination. */
  logShipping: LogShippingTarget;
}

export class RegionalPipeline extends pulumi.ComponentResource {
  readonly rawBucket: pulumi.Output<string>;
  readonly thumbnailsBucket: pulumi.Output<string>;
  readonly cdnDomain: pulumi.Output<string>;
  readonly queueUrl: pulumi.Output<string>;
  readonly dlqUrl: pulumi.Output<string>;
  /** The region's upload and status API. */
  readonly apiUrl: pulumi.Output<string>;
  readonly dashboardName: string;
  readonly dashboardUrl: string;
  readonly dashboardInput: RegionDashboardInput;
  /** Memory per function and the connection budget this deployment uses. */
  readonly memoryMb: Record<FunctionName, number>;
  readonly maxConnections: number;
  readonly thumbnailsMaxConcurrency: number;

  constructor(name: string, args: RegionalPipelineArgs, options?: pulumi.ComponentResourceOptions) {
    super("thumbnail-pipeline:index:RegionalPipeline", name, {}, options);
    const { cfg, region } = args;
    const ctx: RegionContext = {
      cfg,
      region,
      provider: args.provider,
      parent: this,
      formerParent: this,
      accountId: args.accountId,
      partition: args.partition,
      manifest: args.manifest,
      commit: args.commit,
      distDir: args.distDir,
    };
    const part = (role: string) => nameOf(ctx, role);
    const children = { parent: this };

    // Decisions first: memory keeps what the OOM remediator raised; max_connections keeps db-guard's floor.
    const decided = decideRegion(
      {
        memoryMb: Object.fromEntries(FUNCTION_NAMES.map((fn) => [fn, cfg.functions[fn].memoryMb])) as Record<FunctionName, number>,
        memoryCapMb: cfg.remediation.memoryCapMb,
        maxConnections: cfg.database.maxConnections,
        connectionCeiling: cfg.database.connectionCeiling,
        thumbnailsMaxConcurrency: cfg.thumbnailsMaxConcurrency,
        apiConcurrency: cfg.api.concurrency,
      },
      (fn) => lambdaName(cfg, region.name, fn),
      args.floors,
    );
    for (const warning of decided.warnings) void pulumi.log.warn(`${region.name}: ${warning}`, this);

    const existing = cfg.database.existing?.[region.name];
    const logShipping = new LogShipping(part("log-shipping"), { ctx, target: args.logShipping }, children);
    const network = new Network(
      part("network"),
      { ctx, availabilityZones: args.availabilityZones, ...(existing ? { databaseCidr: existing.cidr } : {}) },
      children,
    );
    const storage = new Storage(part("storage"), { ctx }, children);
    const queueing = new Queueing(part("queueing"), { ctx, rawBucket: storage.raw }, children);
    const database = new PipelineDatabase(
      part("database"),
      { ctx, network, maxConnections: decided.maxConnections, ...(existing ? { existing } : {}) },
      children,
    );
    const alerting = new Alerting(part("alerting"), { ctx }, children);
    const specs = functionSpecs({ ctx, budget: decided.budget, network, storage, queueing, database, alerting });
    const functions = new Functions(part("functions"), { ctx, logShipping, memoryMb: decided.memoryMb, specs }, children);
    const observability = new Observability(part("observability"), { ctx, functions, queueing, database, alerting }, children);
    new Automation(part("automation"), { ctx, functions, queueing, alerting, observability, database, budget: decided.budget }, children);
    const api = new RegionalApi(
      part("api-component"),
      { ctx, logShipping, fn: functions.byName.api, rawBucket: storage.raw, config: cfg.api, alertTopicArn: alerting.alerts.arn },
      children,
    );

    this.memoryMb = decided.memoryMb;
    this.maxConnections = decided.maxConnections;
    this.thumbnailsMaxConcurrency = decided.budget.concurrency.thumbnails;
    this.dashboardName = observability.dashboardName;
    this.dashboardInput = observability.dashboardInput;
    this.dashboardUrl = dashboardUrl(region.name, this.dashboardName);
    this.rawBucket = storage.raw.name;
    this.thumbnailsBucket = storage.thumbnails.name;
    this.cdnDomain = storage.cdnDomain;
    this.queueUrl = queueing.queue.url;
    this.dlqUrl = queueing.dlq.url;
    this.apiUrl = api.url;
    this.registerOutputs({
      rawBucket: this.rawBucket,
      thumbnailsBucket: this.thumbnailsBucket,
      cdnDomain: this.cdnDomain,
      queueUrl: this.queueUrl,
      dlqUrl: this.dlqUrl,
      apiUrl: this.apiUrl,
      dashboardUrl: this.dashboardUrl,
    });
  }
}
