// One Lambda function with everything it owns: its role and least-privilege
// policy, its log group (finite retention, KMS) shipping to the archive, and
// the code bundle named in the build manifest.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lambdaFunctionArn, logGroupArn } from "../arns";
import { functionCode } from "../function-code";
import type { FunctionName } from "../config";
import { functionPolicy, serviceTrustPolicy, type PolicyInputs } from "../iam-policies";
import { lambdaName } from "../naming";
import { arnScope, baseTags, nameOf, opts, type RegionContext } from "./context";
import type { RegionLogging } from "./logs";

export interface FunctionVpc {
  subnetIds: pulumi.Input<string>[];
  securityGroupIds: pulumi.Input<string>[];
}

export interface FunctionSpec {
  fn: FunctionName;
  memoryMb: pulumi.Input<number>;
  environment: Record<string, pulumi.Input<string>>;
  vpc?: FunctionVpc;
  reservedConcurrency?: pulumi.Input<number>;
  /** ARNs the policy names, known at preview (infra/arns.ts); the log group and VPC flag are filled in here. */
  policyInputs: pulumi.Input<Omit<PolicyInputs, "logGroupArn" | "inVpc">>;
}

export interface PipelineFunction {
  fn: FunctionName;
  name: string;
  lambda: aws.lambda.Function;
  logGroup: aws.cloudwatch.LogGroup;
  timeoutSeconds: number;
}

export function createFunction(ctx: RegionContext, logging: RegionLogging, spec: FunctionSpec): PipelineFunction {
  const { fn } = spec;
  const name = lambdaName(ctx.cfg, ctx.region.name, fn);
  const bundle = ctx.manifest.functions[fn];
  const timeoutSeconds = ctx.cfg.functions[fn].timeoutSeconds;

  const logGroupName = `/aws/lambda/${name}`;
  const logGroup = new aws.cloudwatch.LogGroup(
    nameOf(ctx, `${fn}-logs`),
    { name: logGroupName, retentionInDays: ctx.cfg.logRetentionDays, kmsKeyId: logging.kmsKeyArn, tags: baseTags(ctx, `${fn}-logs`) },
    opts(ctx),
  );
  new aws.cloudwatch.LogSubscriptionFilter(
    nameOf(ctx, `${fn}-log-shipping`),
    { name: `${name}-to-archive`, logGroup: logGroup.name, filterPattern: "", destinationArn: logging.destinationArn },
    opts(ctx),
  );

  const role = new aws.iam.Role(
    nameOf(ctx, `${fn}-role`),
    { name, description: `${fn} in ${ctx.region.name}: exactly what its code calls`, assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")), tags: baseTags(ctx, `${fn}-role`) },
    opts(ctx),
  );
  const inVpc = spec.vpc !== undefined;
  const rolePolicy = new aws.iam.RolePolicy(
    nameOf(ctx, `${fn}-policy`),
    {
      role: role.id,
      policy: pulumi
        .output(spec.policyInputs)
        .apply((inputs) => JSON.stringify(functionPolicy(fn, { ...(inputs as Omit<PolicyInputs, "logGroupArn" | "inVpc">), logGroupArn: logGroupArn(arnScope(ctx), logGroupName), inVpc }))),
    },
    opts(ctx),
  );

  const common: Record<string, pulumi.Input<string>> = {
    POWERTOOLS_SERVICE_NAME: fn,
    POWERTOOLS_METRICS_NAMESPACE: "ThumbnailPipeline",
    POWERTOOLS_LOG_LEVEL: ctx.cfg.logLevel,
    PIPELINE_STACK: ctx.cfg.stack,
    PIPELINE_REGION: ctx.region.name,
  };
  const lambda = new aws.lambda.Function(
    nameOf(ctx, fn),
    {
      name,
      description: `thumbnail pipeline ${fn} (${ctx.region.name})`,
      code: functionCode(ctx.distDir, bundle),
      handler: bundle.handler,
      runtime: ctx.manifest.runtime,
      architectures: [ctx.manifest.architecture],
      role: role.arn,
      memorySize: spec.memoryMb,
      timeout: timeoutSeconds,
      reservedConcurrentExecutions: spec.reservedConcurrency,
      environment: { variables: { ...common, ...spec.environment } },
      vpcConfig: spec.vpc ? { subnetIds: spec.vpc.subnetIds, securityGroupIds: spec.vpc.securityGroupIds } : undefined,
      // Text format keeps the platform's REPORT lines parseable by the memory metric filters.
      loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
      tags: {
        ...baseTags(ctx, fn),
        "pipeline:function": fn,
        "pipeline:bundle-hash": bundle.bundleHash,
        "pipeline:commit": ctx.commit,
      },
    },
    // In-VPC functions need their ENI permissions at creation time.
    opts(ctx, { dependsOn: [logGroup, rolePolicy] }),
  );
  return { fn, name, lambda, logGroup, timeoutSeconds };
}

/** ARN of a function of this region, known before it exists (no dependency cycle for the remediator's policy). */
export function functionArn(ctx: RegionContext, fn: FunctionName): string {
  return lambdaFunctionArn(arnScope(ctx), lambdaName(ctx.cfg, ctx.region.name, fn));
}
