// What the region's operators see: the functions' log metric filters, the
// alarms on every function, queue, the database and the canary, and the
// region's dashboard.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { queueName, resourcePrefix } from "../naming";
import type { Alerting } from "./alerting";
import { createCanaryAlarm, createDatabaseAlarms, createFunctionAlarms, createFunctionMetricFilters, createQueueAlarms } from "./alarms";
import { componentType, nameOf, opts, within, type RegionContext } from "./context";
import { regionDashboardBody, type RegionDashboardInput } from "./dashboard";
import type { PipelineDatabase } from "./database";
import type { Functions } from "./functions";
import type { Queueing } from "./queue";

export interface ObservabilityArgs {
  ctx: RegionContext;
  functions: Functions;
  queueing: Queueing;
  database: PipelineDatabase;
  alerting: Alerting;
}

export class Observability extends pulumi.ComponentResource {
  /** The functions' `-oom` alarms: the OOM remediator's trigger. */
  readonly oomAlarmNames: pulumi.Output<string>[];
  /** db-guard's remediation trigger. */
  readonly connectionsAlarmName: pulumi.Output<string>;
  readonly dashboardName: string;
  /** What the global dashboard shows of this region. */
  readonly dashboardInput: RegionDashboardInput;

  constructor(name: string, args: ObservabilityArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Observability"), name, {}, options);
    const ctx = within(args.ctx, this);
    const { cfg } = ctx;
    const r = ctx.region.name;
    const alerts = args.alerting.alerts.arn;

    this.oomAlarmNames = args.functions.all().map((f) => {
      createFunctionMetricFilters(ctx, f);
      return createFunctionAlarms(ctx, f, alerts).oom.name;
    });
    const { queue, dlq, asyncFailures } = args.queueing;
    createQueueAlarms(ctx, "raw-events", queue.name, queueName(cfg, r, "raw-events"), false, alerts);
    createQueueAlarms(ctx, "raw-events-dlq", dlq.name, queueName(cfg, r, "raw-events-dlq"), true, alerts);
    createQueueAlarms(ctx, "async-failures", asyncFailures.name, queueName(cfg, r, "async-failures"), true, alerts, "async-failures");
    this.connectionsAlarmName = createDatabaseAlarms(ctx, args.database.identifier, cfg.database.allocatedStorageGb, alerts).connections.name;
    createCanaryAlarm(ctx, alerts);

    this.dashboardName = resourcePrefix(cfg, r);
    this.dashboardInput = {
      region: r,
      functionNames: args.functions.all().map((f) => f.name),
      queueName: queueName(cfg, r, "raw-events"),
      dlqName: queueName(cfg, r, "raw-events-dlq"),
      dbId: args.database.identifier,
    };
    new aws.cloudwatch.Dashboard(
      nameOf(ctx, "dashboard"),
      { dashboardName: this.dashboardName, dashboardBody: regionDashboardBody(this.dashboardInput) },
      opts(ctx),
    );
    this.registerOutputs({ dashboardName: this.dashboardName, connectionsAlarmName: this.connectionsAlarmName });
  }
}
