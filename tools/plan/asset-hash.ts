// The hashes the Pulumi engine puts on assets and archives when a program
// registers them (RegisterResource unmarshals with ComputeAssetHashes), so a
// policy pack sees `hash` on every asset and archive. Computed as the engine
// computes them (sdk/go/common/resource/asset and archive, EnsureHash):
//   - an asset: SHA-256 of its bytes (a string asset's text, a file asset's file);
//   - an archive that is a .tar/.tgz/.tar.gz/.zip/.jar file: SHA-256 of the file;
//   - any other archive (a folder, or an asset archive): SHA-256 of the tar
//     stream Go's archive/tar writes for its members in order, each with a
//     header of only name, mode 0600 and size (USTAR), then two zero blocks.
// Folder members are in filepath.Walk order (lexical, depth first), named
// relative to the folder with "/", without folders, `.pulumi` or symlinks to
// folders; asset-archive members in sorted key order, sub-archives flattened
// under their key. Relative paths resolve against the program's folder.
import { createHash, type Hash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, posix } from "node:path";
import { gunzipSync } from "node:zlib";

export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const ASSET_SIGNATURE = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIGNATURE = "0def7320c3a5731c473e5ecbe6d01bc7";

export class AssetHashError extends Error {}

type Wire = Record<string, unknown>;

const ARCHIVE_FILES: [string, "tar" | "tgz" | "zip"][] = [
  [".tar.gz", "tgz"],
  [".tgz", "tgz"],
  [".tar", "tar"],
  [".zip", "zip"],
  [".jar", "zip"],
];

function archiveFormat(path: string): "tar" | "tgz" | "zip" | undefined {
  return ARCHIVE_FILES.find(([ext]) => path.endsWith(ext))?.[1];
}

function resolve(path: string, workDir: string): string {
  return isAbsolute(path) ? path : join(workDir, path);
}

function fileUri(uri: string, what: string): string {
  if (!uri.startsWith("file://")) throw new AssetHashError(`${what} ${uri}: only file:// URIs can be read offline; the engine would download it`);
  return decodeURIComponent(uri.slice("file://".length));
}

function assetBytes(asset: Wire, workDir: string, what: string): Buffer {
  if (typeof asset.text === "string") return Buffer.from(asset.text, "utf8");
  if (typeof asset.path === "string" && asset.path !== "") return readFileSync(resolve(asset.path, workDir));
  if (typeof asset.uri === "string" && asset.uri !== "") return readFileSync(fileUri(asset.uri, what));
  throw new AssetHashError(`${what}: an asset with neither text, path nor uri`);
}

interface Member {
  name: string;
  bytes: () => Buffer;
}

/** filepath.Walk's order: each folder's entries sorted by name (bytes), depth first. */
function folderMembers(root: string, what: string): Member[] {
  const out: Member[] = [];
  const walk = (dir: string, rel: string) => {
    const names = readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const full = join(dir, name);
      const relName = rel ? `${rel}/${name}` : name;
      const link = lstatSync(full);
      if (name === ".pulumi") continue;
      if (link.isDirectory()) {
        walk(full, relName);
        continue;
      }
      if (link.isSymbolicLink() && statSync(full).isDirectory()) continue;
      out.push({ name: relName, bytes: () => readFileSync(full) });
    }
  };
  if (!statSync(root).isDirectory()) throw new AssetHashError(`${what} ${root} is neither a recognized archive type nor a directory`);
  walk(root, "");
  return out;
}

/** Regular-file members of a tar stream, folders skipped, as the engine's tar reader yields them. */
function tarMembers(data: Buffer): Member[] {
  const out: Member[] = [];
  for (let off = 0; off + 512 <= data.length; ) {
    const header = data.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) => header.subarray(start, start + len).toString("latin1").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const name = posix.normalize(prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const start = off + 512;
    if (type === "0" || type === "") out.push({ name, bytes: () => data.subarray(start, start + size) });
    off = start + Math.ceil(size / 512) * 512;
  }
  return out;
}

function archiveMembers(archive: Wire, workDir: string, what: string): Member[] {
  if (typeof archive.path === "string" && archive.path !== "") {
    const path = resolve(archive.path, workDir);
    const format = archiveFormat(path);
    if (format === "tar") return tarMembers(readFileSync(path));
    if (format === "tgz") return tarMembers(gunzipSync(readFileSync(path)));
    if (format === "zip") throw new AssetHashError(`${what} ${archive.path}: a ZIP inside an asset archive cannot be expanded offline`);
    return folderMembers(path, what);
  }
  if (typeof archive.uri === "string" && archive.uri !== "") {
    return archiveMembers({ path: fileUri(archive.uri, what) }, workDir, what);
  }
  const assets = (archive.assets ?? {}) as Record<string, Wire>;
  return Object.keys(assets)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .flatMap((key): Member[] => {
      const member = assets[key];
      const at = `${what}.assets.${key}`;
      if (member?.[SIGNATURE_KEY] === ASSET_SIGNATURE) return [{ name: key, bytes: () => assetBytes(member, workDir, at) }];
      if (member?.[SIGNATURE_KEY] === ARCHIVE_SIGNATURE) return archiveMembers(member, workDir, at).map((m) => ({ name: posix.join(key, m.name), bytes: m.bytes }));
      throw new AssetHashError(`${at} is neither an asset nor an archive`);
    });
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** The USTAR header Go's tar.Writer writes for Header{Name, Mode: 0o600, Size}. */
function ustarHeader(name: string, size: number): Buffer {
  if (!/^[\x20-\x7e]*$/.test(name)) throw new AssetHashError(`archive member ${JSON.stringify(name)}: a non-ASCII name needs a PAX header, which this offline hash does not write`);
  let prefix = "";
  let base = name;
  if (name.length > 100) {
    // USTAR splits a long name at a slash into prefix (≤155) and name (≤100).
    const cut = name.lastIndexOf("/", 155);
    if (cut <= 0 || name.length - cut - 1 > 100 || cut > 155) throw new AssetHashError(`archive member ${name}: too long for a USTAR header`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const h = Buffer.alloc(512, 0);
  h.write(base, 0, "ascii");
  h.write(octal(0o600, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(0, 12), 136, "ascii");
  h.write("0", 156, "ascii");
  h.write("ustar\u000000", 257, "ascii");
  h.write(octal(0, 8), 329, "ascii");
  h.write(octal(0, 8), 337, "ascii");
  h.write(prefix, 345, "ascii");
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

function tarInto(hash: Hash, members: Member[]): void {
  const seen = new Set<string>();
  for (const m of members) {
    if (seen.has(m.name)) continue;
    seen.add(m.name);
    const bytes = m.bytes();
    hash.update(ustarHeader(m.name, bytes.length));
    hash.update(bytes);
    const pad = (512 - (bytes.length % 512)) % 512;
    if (pad > 0) hash.update(Buffer.alloc(pad, 0));
  }
  hash.update(Buffer.alloc(1024, 0));
}

/** The engine's hash of an asset in wire form. */
export function assetHash(asset: Wire, workDir: string, what = "asset"): string {
  return createHash("sha256").update(assetBytes(asset, workDir, what)).digest("hex");
}

/** The engine's hash of an archive in wire form. */
export function archiveHash(archive: Wire, workDir: string, what = "archive"): string {
  const hash = createHash("sha256");
  const path = typeof archive.path === "string" && archive.path !== "" ? resolve(archive.path, workDir) : undefined;
  if (path && archiveFormat(path)) return hash.update(readFileSync(path)).digest("hex");
  tarInto(hash, archiveMembers(archive, workDir, what));
  return hash.digest("hex");
}

/**
 * A copy of wire-form props with `hash` set on every asset and archive that has
 * none, as the engine records a registration. `what` names the resource in errors.
 */
export function withAssetHashes<T>(value: T, workDir: string, what: string): T {
  if (Array.isArray(value)) return value.map((v, i) => withAssetHashes(v, workDir, `${what}[${i}]`)) as T;
  if (value === null || typeof value !== "object") return value;
  const obj = value as Wire;
  const sig = obj[SIGNATURE_KEY];
  if (sig === ASSET_SIGNATURE || sig === ARCHIVE_SIGNATURE) {
    // Only the registered value gets a hash; an asset archive's members keep none.
    if (typeof obj.hash === "string") return value;
    const hash = sig === ASSET_SIGNATURE ? assetHash(obj, workDir, what) : archiveHash(obj, workDir, what);
    return { ...obj, hash } as T;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, withAssetHashes(v, workDir, `${what}.${k}`)])) as T;
}
