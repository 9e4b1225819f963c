// The engine sends every archive to the pack with the content hash it computed
// when the program registered it (`{ path, hash }` on the wire). @pulumi/policy
// 1.21 rebuilds archives as pulumi.asset objects and drops that hash, so this
// module wraps the server's deserializeProperties once, at load, to keep it:
// each rebuilt archive (and asset) is remembered with the hash it arrived with.
// Nothing is computed here and nothing is read from disk.
import { deserializeModule, proxyTarget, type DeserializeExports } from "./runtime";

/** The wire's signature key and secret signature (@pulumi/pulumi runtime/rpc specialSigKey, specialSecretSig). */
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

const hashes = new WeakMap<object, string>();

type Wire = Record<string, unknown>;

function isObject(v: unknown): v is Wire {
  return typeof v === "object" && v !== null;
}

/**
 * Walks the wire form and its deserialized twin side by side, remembering the
 * hash of each archive and asset. With proxySecrets the twin is a proxy that
 * unwraps secrets on each read; the walk goes through the objects behind it,
 * which is where engineHashOf looks too.
 */
function remember(wire: unknown, deserialized: unknown): void {
  if (!isObject(wire) || !isObject(deserialized)) return;
  const value = proxyTarget(deserialized);
  if (Array.isArray(wire)) {
    if (Array.isArray(value)) wire.forEach((w, i) => remember(w, value[i]));
    return;
  }
  const signature = wire[SIGNATURE_KEY];
  if (signature === SECRET_SIGNATURE) {
    // Unwrapped in place, or wrapped in a Secret holding `value`.
    remember(wire.value, "value" in value && value.constructor?.name === "Secret" ? value.value : value);
    return;
  }
  if (typeof signature === "string") {
    if (typeof wire.hash === "string" && wire.hash !== "") hashes.set(value, wire.hash);
    return;
  }
  for (const [k, w] of Object.entries(wire)) remember(w, value[k]);
}

/** Marks the installed wrapper, so loading the module twice wraps once. */
export const WRAPPED = Symbol.for("snowflake-guard.keeps-archive-hashes");

type Deserialize = DeserializeExports["deserializeProperties"] & { [WRAPPED]?: true };

const original = deserializeModule.deserializeProperties as Deserialize | undefined;
if (typeof original !== "function") {
  // Fail the pack's start with what changed, rather than every archive later with "no content hash".
  throw new Error(
    "snowflake-guard: @pulumi/policy/deserialize no longer exports deserializeProperties, so the engine's archive hashes cannot be kept (policies/support/archive-hash.ts)",
  );
}
if (!original[WRAPPED]) {
  const wrapped: Deserialize = (props, proxySecrets) => {
    const out = original(props, proxySecrets);
    remember(props.toJavaScript(), out);
    return out;
  };
  wrapped[WRAPPED] = true;
  deserializeModule.deserializeProperties = wrapped;
}

/** The content hash the engine sent with this archive or asset, if it sent one. */
export function engineHashOf(value: unknown): string | undefined {
  return isObject(value) ? hashes.get(proxyTarget(value)) : undefined;
}
