// Queues and asynchronous sources: a message must not reappear while a
// function still works on it, and nothing asynchronous may fail silently
// (the story's first service never heard of the second one's errors).
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { has, num, obj, str } from "./support/props";
import { T, describe, type StackIndex } from "./support/resources";

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
    "Every asynchronous source has somewhere for failures to go: SQS event sources read a queue with a DLQ (redrivePolicy); functions invoked by EventBridge or SNS have an on-failure destination, a dead-letter queue, or a DLQ on the rule target or subscription.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Give the source queue a redrivePolicy to a DLQ; for EventBridge or SNS invocations add a FunctionEventInvokeConfig with destinationConfig.onFailure (or a deadLetterConfig on the function, the event target or the subscription).",
};

/** The function an event source, target or subscription invokes: by dependency, else by name or ARN. */
function invokedFunction(stack: StackIndex, source: PolicyResource, key: string, ctx: CheckContext): PolicyResource | undefined {
  const dep = stack.dependenciesOf(source, key).find((d) => d.type === T.lambda);
  if (dep) return dep;
  const ref = ctx.inspect(source, () => str(source.props[key]));
  if (ref === undefined) return undefined;
  return stack.ofType(T.lambda).find((fn) => {
    const name = ctx.inspect(fn, () => str(fn.props.name));
    return name !== undefined && (ref === name || ref.endsWith(`:function:${name}`));
  });
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
  const fnName = ctx.inspect(fn, () => str(fn.props.name));
  return stack.ofType(T.eventInvokeConfig).some((config) => {
    const target = stack.refersTo(config, "functionName", fn, () => fnName !== undefined && ctx.inspect(config, () => str(config.props.functionName))?.endsWith(fnName) === true);
    return target && ctx.inspect(config, () => has(obj(obj(config.props.destinationConfig).onFailure), "destination")) === true;
  });
}

export const asyncFailureDestination = stackPolicy(asyncFailureDestinationSpec, (stack, ctx) => {
  for (const mapping of stack.ofType(T.eventSourceMapping)) {
    const queue = sqsSource(stack, mapping);
    if (!queue) continue;
    if (!has(queue.props, "redrivePolicy")) {
      ctx.report(queue, `${stack.regionLabel(queue)}: queue ${queue.name} feeds ${mapping.name} but has no redrivePolicy, so a poison message is retried until it expires and then lost`);
    }
  }
  const asyncSources: { source: PolicyResource; key: string; dlq: () => boolean; via: string }[] = [
    ...stack.ofType(T.eventTarget).map((t) => ({ source: t, key: "arn", dlq: () => has(obj(t.props.deadLetterConfig), "arn"), via: "EventBridge target" })),
    ...stack
      .ofType(T.topicSubscription)
      .filter((s) => ctx.inspect(s, () => str(s.props.protocol)) === "lambda")
      .map((s) => ({ source: s, key: "endpoint", dlq: () => has(s.props, "redrivePolicy"), via: "SNS subscription" })),
  ];
  for (const { source, key, dlq, via } of asyncSources) {
    const fn = invokedFunction(stack, source, key, ctx);
    if (!fn) continue;
    if (ctx.inspect(source, dlq) === true || functionHasFailureRoute(stack, fn, ctx)) continue;
    ctx.report(
      fn,
      `${stack.regionLabel(fn)}: ${fn.name} is invoked asynchronously by ${via} ${describe(source)} and its failures go nowhere: add an on-failure destination or a dead-letter queue`,
    );
  }
});
