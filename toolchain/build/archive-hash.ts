// The content hash the Pulumi engine gives an archive when a program registers
// it (pulumi/pulumi sdk/go/common/resource/archive: EnsureHash). The engine
// hands that hash to a policy pack with the archive, so the build records it
// for each function (dist/manifest.json `archiveHash`) and the offline plan
// fills it in where the engine would. What the engine hashes:
//  - a path with an archive extension (.tar, .tgz, .tar.gz, .zip, .jar): the file's bytes;
//  - a folder: a tar stream of its files in filepath.Walk order (names sorted
//    at each level, directories and `.pulumi` skipped, symlinks to folders
//    skipped, symlinks to files followed), each with a header carrying only
//    the name (relative, forward slashes), mode 0600 and the size, as Go's
//    archive/tar writes it (USTAR), then two zero blocks;
//  - an asset archive: the same tar over its members in sorted order, nested
//    archives flattened under their member name.
import { createHash, type Hash } from "node:crypto";
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";

export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const ARCHIVE_SIGNATURE = "0def7320c3a5731c473e5ecbe6d01bc7";
export const ASSET_SIGNATURE = "c44067f5952c0a294b673a41bacd8c17";

const BLOCK = 512;
const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
const ARCHIVE_EXTENSIONS = [".tar", ".tgz", ".tar.gz", ".zip", ".jar"];
const BOOKKEEPING_DIR = ".pulumi";

export class ArchiveHashError extends Error {}

/** A member of a tar stream: its name inside the archive and where its bytes come from. */
interface Member {
  name: string;
  size: number;
  write(into: Hash): void;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  // Go's formatOctal: zero-padded digits, leaving room for a NUL terminator.
  const digits = value.toString(8).padStart(length - 1, "0");
  block.write(digits, offset, "ascii");
  block[offset + digits.length] = 0;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Go's splitUSTARPath: a long name split at a slash into a 155-byte prefix and a 100-byte name. */
function splitUstarPath(name: string): { prefix: string; suffix: string } | undefined {
  let length = name.length;
  if (length <= NAME_SIZE || !isAscii(name)) return undefined;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === "/") length--;
  const i = name.slice(0, length).lastIndexOf("/");
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > NAME_SIZE || nlen === 0 || i > PREFIX_SIZE) return undefined;
  return { prefix: name.slice(0, i), suffix: name.slice(i + 1) };
}

/** The USTAR header Go's archive/tar writes for `tar.Header{Name, Mode: 0600, Size}`. */
export function ustarHeader(name: string, size: number): Buffer {
  let field = name;
  let prefix = "";
  if (name.length > NAME_SIZE || !isAscii(name)) {
    const split = splitUstarPath(name);
    // Go would fall back to a PAX header here; no build output needs that, so refuse rather than guess.
    if (!split) throw new ArchiveHashError(`${JSON.stringify(name)} needs a PAX tar header (non-ASCII or an unsplittable long name); rename it`);
    ({ prefix, suffix: field } = split);
  }
  if (size >= 8 ** 11) throw new ArchiveHashError(`${name} is ${size} bytes, too large for a USTAR header`);
  const block = Buffer.alloc(BLOCK);
  block.write(field, 0, "ascii");
  octal(block, 100, 8, 0o600); // mode
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, size);
  octal(block, 136, 12, 0); // mtime: Go writes the Unix epoch for a zero time
  block[156] = "0".charCodeAt(0); // typeflag: regular file
  block.write("ustar\0", 257, "ascii");
  block.write("00", 263, "ascii");
  octal(block, 329, 8, 0); // devmajor
  octal(block, 337, 8, 0); // devminor
  block.write(prefix, 345, "ascii");
  // The checksum counts its own field as eight spaces; it is written as six digits, NUL, space.
  block.fill(" ", 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  octal(block, 148, 7, sum);
  block[155] = " ".charCodeAt(0);
  return block;
}

function tarHash(members: Member[]): string {
  const hash = createHash("sha256");
  const seen = new Set<string>();
  for (const m of members) {
    // The engine writes a name once, the first time it meets it.
    if (seen.has(m.name)) continue;
    seen.add(m.name);
    hash.update(ustarHeader(m.name, m.size));
    m.write(hash);
    const pad = (BLOCK - (m.size % BLOCK)) % BLOCK;
    if (pad > 0) hash.update(Buffer.alloc(pad));
  }
  hash.update(Buffer.alloc(2 * BLOCK));
  return hash.digest("hex");
}

function fileMember(name: string, path: string): Member {
  const size = statSync(path).size;
  return {
    name,
    size,
    write(into) {
      const fd = openSync(path, "r");
      try {
        const chunk = Buffer.alloc(1 << 20);
        let total = 0;
        for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) {
          into.update(chunk.subarray(0, n));
          total += n;
        }
        if (total !== size) throw new ArchiveHashError(`${path} changed size while it was hashed`);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Byte order of names, as Go sorts directory entries (the names here are ASCII). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Files of a folder in filepath.Walk order, named relative to it with forward slashes. */
function folderMembers(root: string, prefix = ""): Member[] {
  const out: Member[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir).sort(byName)) {
      if (entry === BOOKKEEPING_DIR) continue;
      const full = join(dir, entry);
      const childRel = rel ? `${rel}/${entry}` : entry;
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full, childRel);
      else if (st.isSymbolicLink()) {
        if (!statSync(full).isDirectory()) out.push(fileMember(`${prefix}${childRel}`, full));
      } else out.push(fileMember(`${prefix}${childRel}`, full));
    }
  };
  walk(root, "");
  return out;
}

function isArchiveFile(path: string): boolean {
  return ARCHIVE_EXTENSIONS.some((ext) => path.endsWith(ext));
}

/** The engine's hash of a folder archive (`new FileArchive("<folder>")`). */
export function folderArchiveHash(dir: string): string {
  if (!statSync(dir).isDirectory()) throw new ArchiveHashError(`${dir} is not a folder`);
  return tarHash(folderMembers(dir));
}

type Wire = Record<string, unknown>;

function isWire(v: unknown, signature: string): v is Wire {
  return typeof v === "object" && v !== null && (v as Wire)[SIGNATURE_KEY] === signature;
}

function resolvePath(path: string, workDir: string): string {
  return isAbsolute(path) ? path : join(workDir, path);
}

/** The members an archive member contributes to its parent's tar stream. */
function membersOf(value: unknown, name: string, workDir: string): Member[] | undefined {
  if (isWire(value, ASSET_SIGNATURE)) {
    if (typeof value.text === "string") {
      const bytes = Buffer.from(value.text, "utf8");
      return [{ name, size: bytes.length, write: (h) => h.update(bytes) }];
    }
    if (typeof value.path === "string") return [fileMember(name, resolvePath(value.path, workDir))];
    return undefined;
  }
  if (isWire(value, ARCHIVE_SIGNATURE)) {
    if (typeof value.path === "string") {
      const full = resolvePath(value.path, workDir);
      // An archive file inside an asset archive would have to be unpacked; no program here does that.
      if (isArchiveFile(full) || !statSync(full).isDirectory()) return undefined;
      return folderMembers(full, `${name}/`);
    }
    if (typeof value.assets === "object" && value.assets !== null) return assetMembers(value.assets as Wire, `${name}/`, workDir);
  }
  return undefined;
}

function assetMembers(assets: Wire, prefix: string, workDir: string): Member[] | undefined {
  const out: Member[] = [];
  for (const key of Object.keys(assets).sort(byName)) {
    const members = membersOf(assets[key], `${prefix}${key}`, workDir);
    if (!members) return undefined;
    out.push(...members);
  }
  return out;
}

/**
 * The hash the engine would put on a wire-form archive (`{ <sig>: <archive sig>, path | assets | uri }`),
 * paths resolved against `workDir` as the engine resolves them against its working directory.
 * Undefined when it cannot be computed offline (a remote archive, an archive file nested in an asset archive).
 */
export function engineArchiveHash(archive: Wire, workDir: string): string | undefined {
  if (typeof archive.hash === "string" && archive.hash !== "") return archive.hash;
  if (typeof archive.path === "string") {
    const full = resolvePath(archive.path, workDir);
    if (isArchiveFile(full)) return createHash("sha256").update(readFileSync(full)).digest("hex");
    return folderArchiveHash(full);
  }
  if (typeof archive.assets === "object" && archive.assets !== null) {
    const members = assetMembers(archive.assets as Wire, "", workDir);
    return members ? tarHash(members) : undefined;
  }
  return undefined;
}

/** The hash, or undefined when a path the archive names does not exist (the engine would fail the registration there). */
function hashIfPresent(archive: Wire, workDir: string): string | undefined {
  try {
    return engineArchiveHash(archive, workDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * A copy of wire-form properties with every archive's `hash` filled in as the
 * engine fills it at registration. Archives whose hash cannot be computed
 * offline (remote, or naming a path that does not exist) are left without
 * one, and a policy then says it cannot verify them.
 */
export function withEngineArchiveHashes<T>(value: T, workDir: string): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withEngineArchiveHashes(v, workDir)) as T;
  if (typeof value !== "object" || value === null) return value;
  if (isWire(value, ARCHIVE_SIGNATURE)) {
    const hash = hashIfPresent(value, workDir);
    return (hash === undefined ? value : { ...value, hash }) as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Wire)) out[k] = withEngineArchiveHashes(v, workDir);
  return out as T;
}
