import { strict as assert } from "node:assert";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeArchitectureMismatch, ELF_MACHINE, findArchitectureMismatches, isNativeFileName, parseElfHeader } from "../../../toolchain/build/elf";
import { makeTempDirs } from "./support/temp-trees";

/** The first 20 bytes of an ELF file as a linker writes them. */
function elfHeader(machine: number, opts: { bits?: 32 | 64; littleEndian?: boolean } = {}): Buffer {
  const b = Buffer.alloc(64);
  b.set([0x7f, 0x45, 0x4c, 0x46], 0);
  b[4] = (opts.bits ?? 64) === 64 ? 2 : 1;
  const le = opts.littleEndian ?? true;
  b[5] = le ? 1 : 2;
  b[6] = 1;
  if (le) b.writeUInt16LE(machine, 18);
  else b.writeUInt16BE(machine, 18);
  return b;
}

describe("build: ELF architecture check", () => {
  const temp = makeTempDirs();
  after(() => temp.cleanup());

  it("reads e_machine for aarch64 and x86-64, in either byte order", () => {
    assert.deepEqual(parseElfHeader(elfHeader(0xb7)), { bits: 64, littleEndian: true, machine: 0xb7 });
    assert.deepEqual(parseElfHeader(elfHeader(0x3e)), { bits: 64, littleEndian: true, machine: 0x3e });
    assert.deepEqual(parseElfHeader(elfHeader(0x15, { littleEndian: false })), { bits: 64, littleEndian: false, machine: 0x15 });
    assert.equal(parseElfHeader(elfHeader(0x28, { bits: 32 }))?.bits, 32);
  });

  it("returns null for bytes that are not an ELF header", () => {
    assert.equal(parseElfHeader(Buffer.from("#!/bin/sh\necho hello world\n")), null);
    assert.equal(parseElfHeader(elfHeader(0xb7).subarray(0, 19)), null, "too short to hold e_machine");
    const badClass = elfHeader(0xb7);
    badClass[4] = 7;
    assert.equal(parseElfHeader(badClass), null);
  });

  it("treats Node addons and versioned shared libraries as native files", () => {
    for (const name of ["sharp-linux-arm64-0.35.5.node", "libvips-cpp.so.8.18.7", "libfoo.so", "libfoo.so.1"]) assert.ok(isNativeFileName(name), name);
    for (const name of ["index.js", "versions.json", "README.md", "something.sox", "node.js"]) assert.ok(!isNativeFileName(name), name);
  });

  it("reports each native file built for another CPU, and ignores other files", () => {
    const dir = temp.make("elf-check");
    const files = {
      "lib/good.node": elfHeader(ELF_MACHINE.arm64),
      "lib/libgood.so.1.2": elfHeader(ELF_MACHINE.arm64),
      "lib/wrong.node": elfHeader(ELF_MACHINE.x64),
      "lib/libwrong.so.8": elfHeader(ELF_MACHINE.x64),
      "lib/thirty-two.node": elfHeader(ELF_MACHINE.arm64, { bits: 32 }),
      "lib/fake.node": Buffer.from("not a binary at all, but named like one"),
      "index.js": Buffer.from("module.exports = 1;\n"),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name.replace("lib/", "")), bytes);
    const list = Object.keys(files).map((path) => ({ path, absolutePath: join(dir, path.replace("lib/", "")) }));
    const mismatches = findArchitectureMismatches(list, "arm64");
    assert.deepEqual(
      mismatches.map((m) => m.path),
      ["lib/wrong.node", "lib/libwrong.so.8", "lib/thirty-two.node", "lib/fake.node"],
    );
    assert.match(mismatches[0].found, /x86-64 \(e_machine 0x3e\)/);
    assert.match(mismatches[3].found, /not an ELF file/);
    assert.deepEqual(
      findArchitectureMismatches(list, "x64").map((m) => m.path),
      ["lib/good.node", "lib/libgood.so.1.2", "lib/thirty-two.node", "lib/fake.node"],
    );
  });

  it("fails a function folder whose sharp addon is for the other architecture, naming the file", () => {
    const dir = temp.make("elf-function");
    mkdirSync(join(dir, "node_modules", "@img", "sharp-linux-x64", "lib"), { recursive: true });
    writeFileSync(join(dir, "index.js"), "module.exports.handler = async () => 1;\n");
    writeFileSync(join(dir, "node_modules", "@img", "sharp-linux-x64", "lib", "sharp-linux-x64-0.35.5.node"), elfHeader(ELF_MACHINE.x64));
    assert.equal(describeArchitectureMismatch(dir, "thumbnails", "x64"), null);
    const message = describeArchitectureMismatch(dir, "thumbnails", "arm64");
    assert.match(message ?? "", /function "thumbnails" ships native files that do not run on linux-arm64 \(aarch64 \(e_machine 0xb7\)\)/);
    assert.match(message ?? "", /node_modules\/@img\/sharp-linux-x64\/lib\/sharp-linux-x64-0\.35\.5\.node: 64-bit LE x86-64/);
  });
});
