// Small readers over resource properties. They are called inside
// CheckContext.inspect, so an unknown value anywhere on the path throws the
// runtime's UnknownValueError and becomes a finding naming that property.
export type Props = Record<string, unknown>;

export function isObject(v: unknown): v is Props {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Is the key set at all (even to a value unknown at preview)? Reads no value, so never throws. */
export function has(obj: unknown, key: string): boolean {
  return isObject(obj) && Object.prototype.hasOwnProperty.call(obj, key);
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

export function obj(v: unknown): Props {
  return isObject(v) ? v : {};
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `props.environment.variables` of a Lambda function. */
export function envOf(props: Props): Props {
  return obj(obj(props.environment).variables);
}

/** Parses a JSON document property (IAM and bucket policies are strings). */
export function json(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
}

/** `props.tags` of a resource (empty when there are none). */
export function tagsOf(r: { props: Props }): Props {
  return obj(r.props.tags);
}
