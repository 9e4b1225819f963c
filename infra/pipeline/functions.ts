// One Lambda function with everything it owns: its role and least-privilege
// policy, its log group (finite retention, KMS) shipping to the archive, and
// the code bundle named in the build manifest. What differs between the
// functions (environment, IAM inputs, VPC, concurrency) comes from each
// function's spec module, infra/functions/<name>.ts.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FUNCTION_NAMES, TAGS, type FunctionName } from "../../contracts";
import { lambdaFunctionArn, logGroupArn } from "../arns";
import { functionCode } from "../function-code";
import { functionPolicy, serviceTrustPolicy, type PolicyInputsFor, type SpecPolicyInputs } from "../iam-policies";
import { lambdaName } from "../naming";
import { arnScope, baseTags, componentType, nameOf, opts, within, type RegionContext } from "./context";
import type { LogShipping } from "./logs";

export interface FunctionVpc {
  subnetIds: pulumi.Input<string>[];
  securityGroupIds: pulumi.Input<string>[];
}

/** What one function needs beyond what every function has: built by its spec module. */
export interface FunctionSpec<F extends FunctionName> {
  fn: F;
  /** Written with the contracts' writer, so every name and format is the one the handler reads. */
  environment: Record<string, pulumi.Input<string>>;
  vpc?: FunctionVpc;
  reservedConcurrency?: number;
  /** ARNs the policy names, known at preview (infra/arns.ts); the log group and VPC flag are filled in here. */
  policyInputs: SpecPolicyInputs<F>;
}

export type FunctionSpecs = { [F in FunctionName]: FunctionSpec<F> };

export interface PipelineFunctionArgs<F extends FunctionName> {
  ctx: RegionContext;
  logShipping: LogShipping;
  memoryMb: number;
  spec: FunctionSpec<F>;
}

export class PipelineFunction<F extends FunctionName = FunctionName> extends pulumi.ComponentResource {
  readonly fn: F;
  /** The Lambda function's name. */
  readonly name: string;
  readonly lambda: aws.lambda.Function;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly timeoutSeconds: number;

  constructor(name: string, args: PipelineFunctionArgs<F>, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Function"), name, {}, options);
    const ctx = within(args.ctx, this);
    const { spec } = args;
    const fn = spec.fn;
    this.fn = fn;
    this.name = lambdaName(ctx.cfg, ctx.region.name, fn);
    const bundle = ctx.manifest.functions[fn];
    this.timeoutSeconds = ctx.cfg.functions[fn].timeoutSeconds;

    const logGroupName = `/aws/lambda/${this.name}`;
    this.logGroup = new aws.cloudwatch.LogGroup(
      nameOf(ctx, `${fn}-logs`),
      { name: logGroupName, retentionInDays: ctx.cfg.logRetentionDays, kmsKeyId: args.logShipping.kmsKeyArn, tags: baseTags(ctx, `${fn}-logs`) },
      opts(ctx),
    );
    new aws.cloudwatch.LogSubscriptionFilter(
      nameOf(ctx, `${fn}-log-shipping`),
      { name: `${this.name}-to-archive`, logGroup: this.logGroup.name, filterPattern: "", destinationArn: args.logShipping.destinationArn },
      opts(ctx),
    );

    const role = new aws.iam.Role(
      nameOf(ctx, `${fn}-role`),
      {
        name: this.name,
        description: `${fn} in ${ctx.region.name}: exactly what its code calls`,
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")),
        tags: baseTags(ctx, `${fn}-role`),
      },
      opts(ctx),
    );
    const inputs = { ...spec.policyInputs, logGroupArn: logGroupArn(arnScope(ctx), logGroupName), inVpc: spec.vpc !== undefined } as PolicyInputsFor<F>;
    const rolePolicy = new aws.iam.RolePolicy(nameOf(ctx, `${fn}-policy`), { role: role.id, policy: JSON.stringify(functionPolicy(fn, inputs)) }, opts(ctx));

    this.lambda = new aws.lambda.Function(
      nameOf(ctx, fn),
      {
        name: this.name,
        description: `thumbnail pipeline ${fn} (${ctx.region.name})`,
        code: functionCode(ctx.distDir, bundle),
        handler: bundle.handler,
        runtime: ctx.manifest.runtime,
        architectures: [ctx.manifest.architecture],
        role: role.arn,
        memorySize: args.memoryMb,
        timeout: this.timeoutSeconds,
        reservedConcurrentExecutions: spec.reservedConcurrency,
        environment: { variables: spec.environment },
        vpcConfig: spec.vpc ? { subnetIds: spec.vpc.subnetIds, securityGroupIds: spec.vpc.securityGroupIds } : undefined,
        // Text format keeps the platform's REPORT lines parseable by the memory metric filters.
        loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
        tags: {
          ...baseTags(ctx, fn),
          [TAGS.function]: fn,
          [TAGS.bundleHash]: bundle.bundleHash,
          [TAGS.commit]: ctx.commit,
        },
      },
      // In-VPC functions need their ENI permissions at creation time.
      opts(ctx, { dependsOn: [this.logGroup, rolePolicy] }),
    );
    this.registerOutputs({ name: this.name, arn: this.lambda.arn, logGroup: this.logGroup.name });
  }
}

export interface FunctionsArgs {
  ctx: RegionContext;
  logShipping: LogShipping;
  /** Memory per function: configured, or the floor the OOM remediator recorded. */
  memoryMb: Record<FunctionName, number>;
  specs: FunctionSpecs;
}

/** Every function of the region, each a PipelineFunction. */
export class Functions extends pulumi.ComponentResource {
  readonly byName: { [F in FunctionName]: PipelineFunction<F> };

  constructor(name: string, args: FunctionsArgs, options?: pulumi.ComponentResourceOptions) {
    super(componentType("Functions"), name, {}, options);
    const ctx = within(args.ctx, this);
    const make = <F extends FunctionName>(spec: FunctionSpec<F>) =>
      new PipelineFunction<F>(
        nameOf(ctx, `${spec.fn}-function`),
        { ctx, logShipping: args.logShipping, memoryMb: args.memoryMb[spec.fn], spec },
        { parent: this },
      );
    const byName = {} as Record<FunctionName, PipelineFunction>;
    for (const fn of FUNCTION_NAMES) byName[fn] = make(args.specs[fn] as FunctionSpec<typeof fn>);
    this.byName = byName as { [F in FunctionName]: PipelineFunction<F> };
    this.registerOutputs({ names: FUNCTION_NAMES.map((fn) => this.byName[fn].name) });
  }

  /** In FUNCTION_NAMES order. */
  all(): PipelineFunction[] {
    return FUNCTION_NAMES.map((fn) => this.byName[fn]);
  }
}

/** ARN of a function of this region, known before it exists (no dependency cycle for the remediator's policy). */
export function functionArn(ctx: RegionContext, fn: FunctionName): string {
  return lambdaFunctionArn(arnScope(ctx), lambdaName(ctx.cfg, ctx.region.name, fn));
}
