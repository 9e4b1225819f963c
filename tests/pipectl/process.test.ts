// `pipectl process --json` as a user runs it: a child process over a folder of
// hostile files must classify every file and exit 0.
import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import sharp from "sharp";
import type { FileReport } from "../../pipectl/commands/process";
import { animatedGif, jpegWithGps, photoLike, pngBomb, pngDeclaringSize, svgWithExternalEntity } from "../support/images";

const PIPECTL = resolve(__dirname, "../../bin/pipectl.js");

function pipectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [PIPECTL, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe("pipectl process", () => {
  let dir: string;
  let expected: Record<string, { status: string; reason?: string; format?: string }>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "pipectl-process-"));
    const photo = await photoLike(640, 480);
    const jpeg = await sharp(photo).jpeg().toBuffer();
    const files: Record<string, Buffer> = {
      "empty.jpg": Buffer.alloc(0),
      "truncated.jpg": jpeg.subarray(0, jpeg.length >> 1),
      "notes.jpg": Buffer.from("meeting notes, not a photo\n"),
      "evil.svg": svgWithExternalEntity("/etc/passwd"),
      "evil-named.png": svgWithExternalEntity("/etc/hostname"),
      "lying-header.png": pngDeclaringSize(100_000, 100_000),
      "bomb.png": pngBomb(8000, 8000),
      "long.gif": await animatedGif(1000, 32),
      "cmyk.jpg": await sharp(photo).toColourspace("cmyk").jpeg().toBuffer(),
      "really-a-jpeg.png": jpeg,
      "gps.jpg": await jpegWithGps(),
      "nested/photo.webp": await sharp(photo).webp().toBuffer(),
    };
    expected = {
      "empty.jpg": { status: "rejected", reason: "empty" },
      "truncated.jpg": { status: "rejected", reason: "corrupt" },
      "notes.jpg": { status: "rejected", reason: "unsupported-format" },
      "evil.svg": { status: "rejected", reason: "unsupported-format" },
      "evil-named.png": { status: "rejected", reason: "unsupported-format" },
      "lying-header.png": { status: "rejected", reason: "too-many-pixels" },
      "bomb.png": { status: "rejected", reason: "too-many-pixels" },
      "long.gif": { status: "ok", format: "gif" },
      "cmyk.jpg": { status: "ok", format: "jpeg" },
      "really-a-jpeg.png": { status: "ok", format: "jpeg" },
      "gps.jpg": { status: "ok", format: "jpeg" },
      "nested/photo.webp": { status: "ok", format: "webp" },
    };
    mkdirSync(join(dir, "nested"));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    // A FIFO would block a naive reader forever; it must be skipped, not hang the run.
    execFileSync("mkfifo", [join(dir, "nested", "pipe.jpg")]);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("classifies every hostile file, in sorted order, and exits 0", async () => {
    const out = `${dir}-out`;
    const run = await pipectl(["process", "--json", "--out", out, dir]);
    try {
      assert.equal(run.code, 0, run.stderr);
      const reports = run.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as FileReport);
      const names = reports.map((r) => r.file.slice(dir.length + 1));
      assert.deepEqual(names, [...names].sort(), "sorted");
      assert.deepEqual(new Set(names), new Set(Object.keys(expected)), "every file reported once");
      assert.match(run.stderr, /skipping .*pipe\.jpg: not a regular file/);
      for (const report of reports) {
        const name = report.file.slice(dir.length + 1);
        const want = expected[name];
        assert.equal(report.status, want.status, `${name}: ${JSON.stringify(report)}`);
        assert.equal(typeof report.ms, "number");
        if (want.status === "rejected") {
          assert.equal(report.reason, want.reason, name);
          assert.deepEqual(report.outputs, []);
        } else {
          assert.equal(report.inputFormat, want.format, name);
          assert.deepEqual(
            report.outputs.map((o) => [o.name, o.format]),
            [
              ["small", "jpeg"],
              ["medium", "jpeg"],
              ["small", "webp"],
              ["medium", "webp"],
            ],
            name,
          );
          for (const output of report.outputs) assert.ok(output.bytes > 0 && output.width > 0 && output.height > 0);
        }
      }
      const written = readdirSync(out).sort();
      assert.ok(written.includes("gps.small.jpg") && written.includes("really-a-jpeg.medium.jpg"), written.join(", "));
      for (const file of written) assert.equal((await sharp(join(out, file)).metadata()).exif, undefined, `${file} carries EXIF`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("fails with a clear message and exit 2 for a path that does not exist", async () => {
    const run = await pipectl(["process", "--json", join(dir, "missing")]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot read .*missing: ENOENT/);
    assert.equal(run.stdout, "");
  });
});
