// The function's deployment package, written by the build itself: a zip of
// its folder with each file's unix mode recorded (the exec wrapper stays
// 0755 on Lambda), entries in sorted order, one fixed timestamp, so the same
// checkout gives the same bytes. The program deploys this file
// (FileArchive("dist/<fn>.zip")); the Pulumi engine hashes a .zip archive as
// the sha256 of its bytes and hands it to the provider as is, so the modes
// survive and the manifest's archiveHash is the file's sha256.
import { createHash } from "node:crypto";
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";
import { listTree } from "./files";

/** Made from local time fields: a zip stores DOS local time, so this gives 1980-01-01 00:00 in the zip whatever TZ the build runs in. */
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
/** "Made by" unix (3): the external attributes then carry st_mode in their upper 16 bits. */
const UNIX = 3;
const REGULAR_FILE = 0o100000;

/** The zip of `dir`'s files (no folder entries: Lambda needs none), modes recorded. */
export function zipFolder(dir: string): Buffer {
  const entries: Zippable = {};
  for (const rel of listTree(dir)) {
    const full = join(dir, rel);
    const mode = lstatSync(full).mode & 0o777;
    entries[rel] = [readFileSync(full), { level: 9, mtime: ZIP_MTIME, os: UNIX, attrs: ((REGULAR_FILE | mode) << 16) >>> 0 }];
  }
  return Buffer.from(zipSync(entries, { level: 9, mtime: ZIP_MTIME }));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
