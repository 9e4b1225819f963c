// Buckets, the functions their notifications invoke (directly, through the SQS
// queue or SNS topic they notify), and the buckets a function writes to by its
// role's grants. Shared by least-privilege-role (a function reads what
// triggers it) and no-recursive-trigger (a function must not trigger itself).
// Matches by types and references: property dependencies first, ARNs and
// names where a value is given as a plain string.
import type { PolicyResource } from "@pulumi/policy";
import { globMatch, grantsAction, type Statement } from "./iam-statements";
import { envOf, isObject, list, str } from "./props";
import { BUCKET_TYPES, T, type StackIndex } from "./resources";
import { readIfKnown } from "./runtime";

function known<R>(read: () => R): R | undefined {
  const r = readIfKnown(read);
  return r.known ? r.value : undefined;
}

export interface Trigger {
  bucket: PolicyResource;
  /** The BucketNotification that holds the path. */
  notification: PolicyResource;
  /** The notification's filterPrefix ("" for the whole bucket). */
  prefix: string;
  /** Whether new objects (ObjectCreated) fire it. */
  onCreate: boolean;
  /** "directly", "through queue q", "through topic t". */
  via: string;
}

/** Does `ref` (an ARN or a name, known or not) or the dependencies of `key` point at `target`? */
function pointsAt(
  stack: StackIndex,
  holder: PolicyResource,
  key: string,
  ref: string | undefined,
  target: PolicyResource,
  arnTail: (name: string) => string,
): boolean {
  if (ref !== undefined) {
    const name = known(() => str(target.props.name));
    return name !== undefined && (ref === name || ref.endsWith(arnTail(name)));
  }
  return stack.dependenciesOf(holder, key).some((d) => d.urn === target.urn);
}

function bucketName(b: PolicyResource): string | undefined {
  return known(() => str(b.props.bucket));
}

function bucketOf(stack: StackIndex, holder: PolicyResource): PolicyResource | undefined {
  const dep = stack.dependenciesOf(holder, "bucket").find((d) => BUCKET_TYPES.includes(d.type));
  if (dep) return dep;
  const name = known(() => str(holder.props.bucket));
  return name === undefined ? undefined : stack.ofType(...BUCKET_TYPES).find((b) => bucketName(b) === name);
}

/** Queues and topics that an SQS/SNS hop reaches, then the functions it feeds. */
function functionsFedByQueue(stack: StackIndex, queue: PolicyResource): PolicyResource[] {
  return stack
    .ofType(T.eventSourceMapping)
    .filter((m) =>
      pointsAt(
        stack,
        m,
        "eventSourceArn",
        known(() => str(m.props.eventSourceArn)),
        queue,
        (n) => `:${n}`,
      ),
    )
    .flatMap((m) =>
      stack.ofType(T.lambda).filter((fn) =>
        pointsAt(
          stack,
          m,
          "functionName",
          known(() => str(m.props.functionName)),
          fn,
          (n) => `:function:${n}`,
        ),
      ),
    );
}

function fedByTopic(stack: StackIndex, topic: PolicyResource): { fn: PolicyResource; via: string }[] {
  return stack
    .ofType(T.topicSubscription)
    .filter((s) =>
      pointsAt(
        stack,
        s,
        "topic",
        known(() => str(s.props.topic)),
        topic,
        (n) => `:${n}`,
      ),
    )
    .flatMap((s) => {
      const protocol = known(() => str(s.props.protocol));
      const endpoint = known(() => str(s.props.endpoint));
      if (protocol === "lambda")
        return stack
          .ofType(T.lambda)
          .filter((fn) => pointsAt(stack, s, "endpoint", endpoint, fn, (n) => `:function:${n}`))
          .map((fn) => ({ fn, via: `through topic ${topic.name}` }));
      if (protocol === "sqs") {
        return stack
          .ofType(T.queue)
          .filter((q) => pointsAt(stack, s, "endpoint", endpoint, q, (n) => `:${n}`))
          .flatMap((q) => functionsFedByQueue(stack, q).map((fn) => ({ fn, via: `through topic ${topic.name} and queue ${q.name}` })));
      }
      return [];
    });
}

function firesOnCreate(events: unknown): boolean {
  return list(events).some((e) => typeof e === "string" && (e.startsWith("s3:ObjectCreated") || e === "s3:*"));
}

/** Every bucket notification path that invokes `fn`. */
export function triggersOf(stack: StackIndex, fn: PolicyResource): Trigger[] {
  const out: Trigger[] = [];
  for (const n of stack.ofType(T.bucketNotification)) {
    const bucket = bucketOf(stack, n);
    if (!bucket) continue;
    const entries = (key: string) => known(() => list(n.props[key]).filter(isObject)) ?? [];
    for (const e of entries("lambdaFunctions")) {
      if (
        pointsAt(
          stack,
          n,
          "lambdaFunctions",
          known(() => str(e.lambdaFunctionArn)),
          fn,
          (x) => `:function:${x}`,
        )
      ) {
        out.push({ bucket, notification: n, prefix: str(e.filterPrefix) ?? "", onCreate: firesOnCreate(e.events), via: "directly" });
      }
    }
    for (const e of entries("queues")) {
      for (const q of stack.ofType(T.queue).filter((q) =>
        pointsAt(
          stack,
          n,
          "queues",
          known(() => str(e.queueArn)),
          q,
          (x) => `:${x}`,
        ),
      )) {
        if (functionsFedByQueue(stack, q).some((f) => f.urn === fn.urn))
          out.push({ bucket, notification: n, prefix: str(e.filterPrefix) ?? "", onCreate: firesOnCreate(e.events), via: `through queue ${q.name}` });
      }
    }
    for (const e of entries("topics")) {
      for (const t of stack.ofType(T.topic).filter((t) =>
        pointsAt(
          stack,
          n,
          "topics",
          known(() => str(e.topicArn)),
          t,
          (x) => `:${x}`,
        ),
      )) {
        for (const fed of fedByTopic(stack, t).filter((f) => f.fn.urn === fn.urn))
          out.push({ bucket, notification: n, prefix: str(e.filterPrefix) ?? "", onCreate: firesOnCreate(e.events), via: fed.via });
      }
    }
  }
  return out;
}

/** The known string values of a function's environment (an unknown one says nothing about buckets). */
function environmentValues(fn: PolicyResource): string[] {
  const env = known(() => envOf(fn.props));
  if (!env) return [];
  return Object.keys(env).flatMap((k) => {
    const v = known(() => env[k]);
    return typeof v === "string" ? [v] : [];
  });
}

/** Buckets whose names or ARNs the function's environment holds, or that its environment is computed from. */
export function bucketsInEnvironment(stack: StackIndex, fn: PolicyResource): PolicyResource[] {
  const fromDeps = new Set(stack.dependenciesOf(fn, "environment").map((d) => d.urn));
  const values = environmentValues(fn);
  return stack.ofType(...BUCKET_TYPES).filter((b) => {
    if (fromDeps.has(b.urn)) return true;
    const name = bucketName(b);
    return name !== undefined && values.some((v) => v === name || v === `arn:aws:s3:::${name}` || v.startsWith(`arn:aws:s3:::${name}/`));
  });
}

/** Object-key prefix a resource pattern allows under a bucket, or undefined when it allows no object there. */
function keyPrefixIn(pattern: string, bucket: string): string | undefined {
  if (pattern === "*") return "";
  const m = /^arn:[^:]*:s3:::([^/]+)\/(.*)$/.exec(pattern);
  if (!m || !globMatch(m[1], bucket)) return undefined;
  const wild = m[2].search(/[*?]/);
  return wild < 0 ? m[2] : m[2].slice(0, wild);
}

/** Can two key prefixes name a common key? */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

export interface WriteGrant {
  bucket: PolicyResource;
  /** The key prefix the grant allows writing under ("" for any key). */
  prefix: string;
  /** The granted resource pattern, as written. */
  resource: string;
  /** The policy that grants it, when known. */
  source?: string;
}

/**
 * The buckets a role's statements let it write objects into (s3:PutObject by
 * any action pattern, or a NotAction that leaves it in), with the key prefix. A grant on `*` counts for the buckets
 * the function's environment names, not for every bucket of the stack.
 */
export function writeGrants(stack: StackIndex, statements: Statement[], environmentBuckets: PolicyResource[]): WriteGrant[] {
  const out: WriteGrant[] = [];
  for (const s of statements) {
    if (!grantsAction(s, "s3:PutObject")) continue;
    for (const resource of s.resources) {
      const candidates = resource === "*" ? environmentBuckets : stack.ofType(...BUCKET_TYPES);
      for (const b of candidates) {
        const name = bucketName(b);
        const prefix = name === undefined ? undefined : keyPrefixIn(resource, name);
        if (prefix !== undefined) out.push({ bucket: b, prefix, resource, ...(s.source ? { source: s.source } : {}) });
      }
    }
  }
  return out;
}

/** The notification's filterPrefix on a bucket's `BucketNotification`, for messages. */
export function describeTrigger(t: Trigger): string {
  return `${t.bucket.name}'s notification${t.prefix ? ` (prefix ${t.prefix})` : ""} ${t.via}`;
}
