// Queues and asynchronous sources: a message must not reappear while a
// function still works on it, and nothing asynchronous may fail silently
// (the story's first service never heard of the second one's errors). The
// asynchronous invokers of a function are found by what they reference: the
// notification, target, subscription, filter, alarm or rule pointing at it,
// or the Lambda permission that lets an asynchronous service invoke it.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { has, isObject, list, num, obj, str } from "./support/props";
import { T, describe, type StackIndex } from "./support/resources";
import { readIfKnown } from "./support/runtime";
import { triggersOf } from "./support/s3-graph";

/** AWS: an SQS event source's queue visibility should be at least six times the function timeout. */
export const VISIBILITY_FACTOR = 6;
const DEFAULT_VISIBILITY_SECONDS = 30;
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 3;

export const queueVisibilitySpec: PolicySpec = {
  name: "queue-visibility-timeout",
  description: `Every SQS queue feeding a function has a visibility timeout of at least ${VISIBILITY_FACTOR}x that function's timeout.`,
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: `Set the queue's visibilityTimeoutSeconds to at least ${VISIBILITY_FACTOR} x the function timeout (the program derives it with visibilityTimeoutSeconds()), or shorten the function timeout.`,
};

export const asyncFailureDestinationSpec: PolicySpec = {
  name: "async-failure-destination",
  description:
    "Every asynchronous source has somewhere for failures to go: SQS event sources read a queue with a DLQ (redrivePolicy); functions invoked asynchronously (S3 notifications, SNS, EventBridge rules and Scheduler, CloudWatch Logs subscriptions and alarm actions, SES, IoT, any async service a Lambda permission names) have an on-failure destination, a dead-letter queue, or a DLQ on the invoker where it has one.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Give the source queue a redrivePolicy to a DLQ; for a function invoked asynchronously add a FunctionEventInvokeConfig with destinationConfig.onFailure (or a deadLetterConfig on the function, or the DLQ of the EventBridge target, Scheduler target or SNS subscription).",
};

/** A function name or ARN (with or without a qualifier) naming the function called `name`. */
function namesFunction(ref: string, name: string): boolean {
  return ref === name || ref.endsWith(`:function:${name}`) || ref.includes(`:function:${name}:`);
}

function known<R>(read: () => R): R | undefined {
  const r = readIfKnown(read);
  return r.known ? r.value : undefined;
}

/**
 * The functions a property of `holder` refers to: by its dependencies when it
 * has any (known even at preview), else by the names or ARNs it holds. A
 * property that by definition names a function (`strict`) must be known then,
 * or the finding says it cannot be verified; one that may name any kind of
 * target (an EventBridge target, an alarm action) is read without reporting.
 */
function functionsReferenced(
  stack: StackIndex,
  ctx: CheckContext,
  holder: PolicyResource,
  key: string,
  refs: () => unknown[],
  strict: boolean,
): PolicyResource[] {
  const deps = stack.dependenciesOf(holder, key);
  if (deps.length > 0) return deps.filter((d) => d.type === T.lambda);
  const values = (strict ? ctx.inspect(holder, refs) : known(refs)) ?? [];
  const names = values.filter((v): v is string => typeof v === "string" && v !== "");
  if (names.length === 0) return [];
  return stack.ofType(T.lambda).filter((fn) => {
    const name = known(() => str(fn.props.name));
    return name !== undefined && names.some((ref) => namesFunction(ref, name));
  });
}

/** The function an event source mapping invokes: by dependency, else by name or ARN. */
function invokedFunction(stack: StackIndex, source: PolicyResource, key: string, ctx: CheckContext): PolicyResource | undefined {
  return functionsReferenced(stack, ctx, source, key, () => [str(source.props[key])], true)[0];
}

function sqsSource(stack: StackIndex, mapping: PolicyResource): PolicyResource | undefined {
  return stack.dependenciesOf(mapping, "eventSourceArn").find((d) => d.type === T.queue);
}

export const queueVisibility = stackPolicy(queueVisibilitySpec, (stack, ctx) => {
  for (const mapping of stack.ofType(T.eventSourceMapping)) {
    const queue = sqsSource(stack, mapping);
    const fn = invokedFunction(stack, mapping, "functionName", ctx);
    if (!queue || !fn) continue;
    const visibility = ctx.inspect(queue, () => num(queue.props.visibilityTimeoutSeconds) ?? DEFAULT_VISIBILITY_SECONDS);
    const timeout = ctx.inspect(fn, () => num(fn.props.timeout) ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS);
    if (visibility === undefined || timeout === undefined) continue;
    if (visibility < VISIBILITY_FACTOR * timeout) {
      ctx.report(
        queue,
        `${stack.regionLabel(queue)}: queue ${queue.name} has visibility ${visibility}s but feeds ${fn.name} with timeout ${timeout}s; needs at least ${VISIBILITY_FACTOR * timeout}s or messages are delivered again while still being processed`,
      );
    }
  }
});

/** Does the function itself route failed asynchronous invocations somewhere? */
function functionHasFailureRoute(stack: StackIndex, fn: PolicyResource, ctx: CheckContext): boolean {
  if (ctx.inspect(fn, () => has(obj(fn.props.deadLetterConfig), "targetArn"))) return true;
  const fnName = known(() => str(fn.props.name));
  return stack.ofType(T.eventInvokeConfig).some((config) => {
    const target = stack.refersTo(
      config,
      "functionName",
      fn,
      () => fnName !== undefined && namesFunction(ctx.inspect(config, () => str(config.props.functionName)) ?? "", fnName),
    );
    return target && ctx.inspect(config, () => has(obj(obj(config.props.destinationConfig).onFailure), "destination")) === true;
  });
}

/** One asynchronous invocation of a function: who invokes it and whether the invoker keeps failures itself. */
interface AsyncInvocation {
  fn: PolicyResource;
  source: PolicyResource;
  /** What the source is, for the message: "S3 bucket notification". */
  via: string;
  /** Words after the source: "of bucket uploads", "for s3.amazonaws.com (arn:...)". */
  detail?: string;
  /** The service that invokes, as a Lambda permission names it. */
  service: string;
  /** The invoker's own dead-letter queue, where it has one. */
  ownDeadLetter?: () => boolean;
}

/**
 * Services that invoke Lambda asynchronously (Lambda's "invoking functions
 * asynchronously" list), as the principal of the permission that lets them.
 * API Gateway, load balancers, Cognito triggers and other synchronous callers
 * are not here: their caller sees the error.
 */
const ASYNC_PRINCIPALS = ["s3", "sns", "events", "scheduler", "logs", "ses", "iot", "lambda.alarms.cloudwatch", "codecommit", "config", "cloudformation"];

/** `logs.eu-west-1.amazonaws.com` and `logs.amazonaws.com` alike: "logs". */
function principalService(principal: string): string | undefined {
  const m = /^([a-z0-9.-]+?)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)?\.amazonaws\.com(?:\.cn)?$/.exec(principal);
  return m && ASYNC_PRINCIPALS.includes(m[1]) ? m[1] : undefined;
}

function entries(r: PolicyResource, key: string): Record<string, unknown>[] {
  return (known(() => list(r.props[key])) ?? []).filter(isObject);
}

/** Every asynchronous invocation of a function the stack declares, found by what each invoker references. */
function asyncInvocations(stack: StackIndex, ctx: CheckContext): AsyncInvocation[] {
  const out: AsyncInvocation[] = [];
  const each = (source: PolicyResource, fns: PolicyResource[], rest: Omit<AsyncInvocation, "fn" | "source">) =>
    fns.forEach((fn) => out.push({ fn, source, ...rest }));
  for (const fn of stack.ofType(T.lambda)) {
    for (const t of triggersOf(stack, fn).filter((x) => x.via === "directly"))
      out.push({ fn, source: t.notification, via: "S3 bucket notification", detail: `of bucket ${t.bucket.name}`, service: "s3" });
  }
  for (const t of stack.ofType(T.eventTarget)) {
    each(
      t,
      functionsReferenced(stack, ctx, t, "arn", () => [t.props.arn], false),
      { via: "EventBridge target", service: "events", ownDeadLetter: () => has(obj(t.props.deadLetterConfig), "arn") },
    );
  }
  for (const sch of stack.ofType(T.schedule)) {
    each(
      sch,
      functionsReferenced(stack, ctx, sch, "target", () => [obj(sch.props.target).arn], false),
      { via: "EventBridge Scheduler schedule", service: "scheduler", ownDeadLetter: () => has(obj(obj(sch.props.target).deadLetterConfig), "arn") },
    );
  }
  for (const sub of stack.ofType(T.topicSubscription).filter((x) => known(() => str(x.props.protocol)) === "lambda")) {
    each(
      sub,
      functionsReferenced(stack, ctx, sub, "endpoint", () => [sub.props.endpoint], true),
      { via: "SNS subscription", service: "sns", ownDeadLetter: () => has(sub.props, "redrivePolicy") },
    );
  }
  for (const f of stack.ofType(T.subscriptionFilter)) {
    each(
      f,
      functionsReferenced(stack, ctx, f, "destinationArn", () => [f.props.destinationArn], false),
      { via: "CloudWatch Logs subscription filter", service: "logs" },
    );
  }
  for (const alarm of stack.ofType(T.metricAlarm, T.compositeAlarm)) {
    const keys = ["alarmActions", "okActions", "insufficientDataActions"];
    const fns = new Map(keys.flatMap((k) => functionsReferenced(stack, ctx, alarm, k, () => list(alarm.props[k]), false)).map((fn) => [fn.urn, fn]));
    each(alarm, [...fns.values()], { via: "CloudWatch alarm action", service: "lambda.alarms.cloudwatch" });
  }
  for (const rule of stack.ofType(T.sesReceiptRule)) {
    // SES waits for a RequestResponse invocation; Event (the default) is asynchronous.
    const async = entries(rule, "lambdaActions").filter((a) => (str(a.invocationType) ?? "Event") === "Event");
    if (async.length === 0) continue;
    each(
      rule,
      functionsReferenced(stack, ctx, rule, "lambdaActions", () => async.map((a) => a.functionArn), true),
      { via: "SES receipt rule", service: "ses" },
    );
  }
  for (const rule of stack.ofType(T.iotTopicRule)) {
    if (entries(rule, "lambdas").length === 0) continue;
    each(
      rule,
      functionsReferenced(stack, ctx, rule, "lambdas", () => entries(rule, "lambdas").map((a) => a.functionArn), true),
      { via: "IoT topic rule", service: "iot" },
    );
  }
  // Any other asynchronous invoker, in the stack or not (a partner's bucket), shows as the permission that lets its service invoke.
  for (const p of stack.ofType(T.lambdaPermission)) {
    const service = principalService(known(() => str(p.props.principal)) ?? "");
    if (service === undefined) continue;
    const from = known(() => str(p.props.sourceArn));
    for (const fn of functionsReferenced(stack, ctx, p, "function", () => [p.props.function], true)) {
      if (out.some((i) => i.fn.urn === fn.urn && i.service === service)) continue;
      out.push({ fn, source: p, via: "Lambda permission", detail: `for ${str(p.props.principal)}${from ? ` (${from})` : ""}`, service });
    }
  }
  return out;
}

export const asyncFailureDestination = stackPolicy(asyncFailureDestinationSpec, (stack, ctx) => {
  for (const mapping of stack.ofType(T.eventSourceMapping)) {
    const queue = sqsSource(stack, mapping);
    if (!queue) continue;
    if (!has(queue.props, "redrivePolicy")) {
      ctx.report(
        queue,
        `${stack.regionLabel(queue)}: queue ${queue.name} feeds ${mapping.name} but has no redrivePolicy, so a poison message is retried until it expires and then lost`,
      );
    }
  }
  for (const { fn, source, via, detail, ownDeadLetter } of asyncInvocations(stack, ctx)) {
    if ((ownDeadLetter && ctx.inspect(source, ownDeadLetter) === true) || functionHasFailureRoute(stack, fn, ctx)) continue;
    ctx.report(
      fn,
      `${stack.regionLabel(fn)}: ${fn.name} is invoked asynchronously by ${via} ${describe(source)}${detail ? ` ${detail}` : ""} and its failures go nowhere: Lambda retries twice, then drops the event; add an on-failure destination or a dead-letter queue`,
    );
  }
});
