// Typed access to two things @pulumi/policy 1.21 exports at runtime but does not
// declare (its proxy.d.ts and deserialize.d.ts are empty): the proxy the server
// wraps every resource's properties in, and the error it throws on an unknown.
// The pack and its tests both go through here, so they see exactly what the
// policy server sees.
import * as policyIndex from "@pulumi/policy";
// The module object itself, not an interop copy (tsx's `import *` copies), so a wrapper installed on it is what the server calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
import policyDeserialize = require("@pulumi/policy/deserialize");

/** A protobuf Struct as the server hands it over. */
export interface StructLike {
  toJavaScript(): Record<string, unknown>;
}

export interface UnknownValueErrorLike extends Error {
  /** Property path from the resource's props to the unknown value. */
  props: (string | symbol)[];
}

interface ProxyExports {
  unknownCheckingProxy<T extends object>(props: T): T;
  UnknownValueError: abstract new (...args: never[]) => UnknownValueErrorLike;
}

export interface DeserializeExports {
  deserializeProperties(props: StructLike, proxySecrets: boolean): Record<string, unknown>;
}

const proxy = policyIndex as unknown as ProxyExports;
/** @pulumi/policy's deserialize module, where archive-hash.ts installs its wrapper. */
export const deserializeModule = policyDeserialize as unknown as DeserializeExports;

export const unknownCheckingProxy = proxy.unknownCheckingProxy;

/** The server's deserialization, looked up at each call so it includes any wrapper installed since. */
export function deserializeProperties(props: StructLike, proxySecrets: boolean): Record<string, unknown> {
  return deserializeModule.deserializeProperties(props, proxySecrets);
}

export function isUnknownValueError(e: unknown): e is UnknownValueErrorLike {
  return e instanceof proxy.UnknownValueError;
}

/** "props.tags.pipeline:bundle-hash" style path of an unknown value. */
export function unknownPath(e: UnknownValueErrorLike): string {
  return e.props.map(String).join(".");
}

/**
 * The object behind the runtime's proxy (server proxy.js `getSpecialProxyTarget`).
 * Needed for values the proxy cannot wrap, such as the Promise of a FileArchive's path.
 */
export function proxyTarget<T extends object>(value: T): T {
  const target = (value as Record<string, unknown>).__isSpecialProxy === true ? (value as Record<string, unknown>).__getSpecialProxyTarget : value;
  return target as T;
}

/**
 * Reads a value that may be unknown at preview without making that a finding,
 * for a check that can decide without it; the check must report the unknown
 * itself when it cannot.
 */
export function readIfKnown<R>(read: () => R): { known: true; value: R } | { known: false } {
  try {
    return { known: true, value: read() };
  } catch (e) {
    if (isUnknownValueError(e)) return { known: false };
    throw e;
  }
}
