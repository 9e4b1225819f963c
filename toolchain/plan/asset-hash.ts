// The hashes the Pulumi engine puts on assets and archives when a program
// registers them (RegisterResource unmarshals with ComputeAssetHashes), so a
// pack sees `hash` on every asset and archive it is given: an archive's as
// toolchain/build/archive-hash.ts computes it (the one implementation, which the
// build manifest records too), an asset's as the SHA-256 of its bytes (a
// string asset's text, a file asset's file). Relative paths resolve against
// the program's folder. An asset archive's members get no hash of their own,
// as in the engine; what cannot be read offline is left without one.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { ARCHIVE_SIGNATURE, ASSET_SIGNATURE, SIGNATURE_KEY, withEngineArchiveHashes } from "../build/archive-hash";

type Wire = Record<string, unknown>;

/** The engine's hash of an asset in wire form, or undefined when its bytes cannot be read offline. */
export function assetHash(asset: Wire, workDir: string): string | undefined {
  let bytes: Buffer;
  if (typeof asset.text === "string") bytes = Buffer.from(asset.text, "utf8");
  else if (typeof asset.path === "string" && asset.path !== "") {
    try {
      bytes = readFileSync(isAbsolute(asset.path) ? asset.path : join(workDir, asset.path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  } else return undefined;
  return createHash("sha256").update(bytes).digest("hex");
}

/** A copy of wire-form props with `hash` set on every registered asset and archive that has none. */
export function withAssetHashes<T>(value: T, workDir: string): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withAssetHashes(v, workDir)) as T;
  if (value === null || typeof value !== "object") return value;
  const obj = value as Wire;
  if (obj[SIGNATURE_KEY] === ARCHIVE_SIGNATURE) return withEngineArchiveHashes(value, workDir);
  if (obj[SIGNATURE_KEY] === ASSET_SIGNATURE) {
    if (typeof obj.hash === "string") return value;
    const hash = assetHash(obj, workDir);
    return (hash === undefined ? value : { ...obj, hash }) as T;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, withAssetHashes(v, workDir)])) as T;
}
