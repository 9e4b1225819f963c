// Reads the few bytes of an ELF header that say which CPU a native file is
// built for, so the build can refuse to ship an x86-64 sharp to an arm64
// Lambda (or the reverse): Lambda would only fail at the first cold start.
import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { listTree } from "./files";
import type { Architecture } from "../../handlers/build-manifest";
import { CACHE_DIRECTORY } from "./native-cache";

/** e_machine values (ELF gABI) for the architectures Lambda offers. */
export const ELF_MACHINE: Record<Architecture, number> = { arm64: 0xb7, x64: 0x3e };

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46]; // "\x7fELF"
const EI_CLASS = 4; // 1 = 32-bit, 2 = 64-bit
const EI_DATA = 5; // 1 = little endian, 2 = big endian
const E_MACHINE_OFFSET = 18;
const HEADER_BYTES = 20;

export interface ElfHeader {
  bits: 32 | 64;
  littleEndian: boolean;
  machine: number;
}

/** Parses an ELF identification + e_machine; null when the bytes are not ELF. */
export function parseElfHeader(bytes: Uint8Array): ElfHeader | null {
  if (bytes.length < HEADER_BYTES) return null;
  if (!ELF_MAGIC.every((b, i) => bytes[i] === b)) return null;
  const cls = bytes[EI_CLASS];
  const data = bytes[EI_DATA];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return null;
  const littleEndian = data === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { bits: cls === 2 ? 64 : 32, littleEndian, machine: view.getUint16(E_MACHINE_OFFSET, littleEndian) };
}

export function readElfHeader(path: string): ElfHeader | null {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    const n = readSync(fd, buf, 0, HEADER_BYTES, 0);
    return parseElfHeader(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** A readable name for an e_machine value, for error messages. */
export function machineName(machine: number): string {
  const known: Record<number, string> = { 0x03: "x86", 0x28: "arm", 0x3e: "x86-64", 0xb7: "aarch64", 0xf3: "riscv", 0x15: "ppc64", 0x16: "s390" };
  return `${known[machine] ?? "unknown"} (e_machine 0x${machine.toString(16)})`;
}

/** Native code as sharp ships it: Node addons and shared libraries (libvips-cpp.so.8.18.7). */
export function isNativeFileName(name: string): boolean {
  return name.endsWith(".node") || /\.so(\.\d+)*$/.test(name);
}

export interface ArchitectureMismatch {
  path: string;
  found: string;
}

/**
 * Checks every native file against the target: it must be 64-bit little-endian
 * ELF for that machine. Returns the mismatches (empty when all fit).
 */
export function findArchitectureMismatches(files: { path: string; absolutePath: string }[], arch: Architecture): ArchitectureMismatch[] {
  const mismatches: ArchitectureMismatch[] = [];
  for (const f of files) {
    const name = f.path.slice(f.path.lastIndexOf("/") + 1);
    if (!isNativeFileName(name)) continue;
    const header = readElfHeader(f.absolutePath);
    if (header === null) {
      mismatches.push({ path: f.path, found: "not an ELF file" });
    } else if (header.machine !== ELF_MACHINE[arch] || header.bits !== 64 || !header.littleEndian) {
      mismatches.push({ path: f.path, found: `${header.bits}-bit ${header.littleEndian ? "LE" : "BE"} ${machineName(header.machine)}` });
    }
  }
  return mismatches;
}

/** Checks a function folder; null when every native file fits, else a message naming each file and what it is. */
export function describeArchitectureMismatch(functionDir: string, functionName: string, arch: Architecture): string | null {
  const files = listTree(functionDir).map((path) => ({ path, absolutePath: join(functionDir, path) }));
  const mismatches = findArchitectureMismatches(files, arch);
  if (mismatches.length === 0) return null;
  return (
    `function "${functionName}" ships native files that do not run on linux-${arch} (${machineName(ELF_MACHINE[arch])}):\n` +
    mismatches.map((m) => `  ${m.path}: ${m.found}`).join("\n") +
    `\nRemove ${CACHE_DIRECTORY}/ and build again; if it persists, the lockfile pins the wrong platform package.`
  );
}
