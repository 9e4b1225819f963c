// The core of `npm start`: the sample images kept in the repo, and photos it
// has never seen, go through the local pipeline and every one is reported;
// the canary passes against the same pipeline.
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import sharp from "sharp";
import { rowsForKeys } from "../../handlers/shared/images-table";
import { runLocalCanary } from "../../local/canary";
import { collectFiles } from "../../local/files";
import type { LocalPipeline } from "../../local/pipeline";
import { processFiles } from "../../local/run-files";
import { succeeded, summarize } from "../../local/start-report";
import { watchFolder } from "../../local/watch";
import { testPipeline } from "../support/local-pipeline";

const SAMPLES = join(__dirname, "..", "..", "samples");

describe("npm start (local pipeline core)", function () {
  this.timeout(90_000);
  let pipeline: LocalPipeline;
  let scratch: string;

  before(async () => {
    pipeline = await testPipeline("start");
    scratch = mkdtempSync(join(tmpdir(), "start-test-"));
  });
  after(async () => {
    await pipeline?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("reports every sample image with its row, and the canary passes", async () => {
    const files = collectFiles([SAMPLES], "uploads/");
    assert.equal(files.length, readdirSync(SAMPLES).filter((f) => !f.startsWith(".")).length);
    assert.ok(files.length > 0, "samples/ holds images");
    const results = await processFiles(pipeline, files, 60_000);
    for (const r of results) {
      assert.ok(r.status === "ok" || (r.status === "failed" && r.reason), `${r.file}: ${r.status} ${r.reason ?? ""}`);
      assert.match(r.rowId ?? "", /^[0-9a-f-]{36}$/);
    }
    const canary = await runLocalCanary(pipeline, 30_000);
    assert.equal(canary.ok, true, canary.lastError);
    const summary = summarize(results, "passed");
    assert.equal(succeeded(summary), true);
    assert.equal(summary.images, files.length);
  });

  it("processes a folder of photos it has not seen, every one ok, with the uploader's correlation id on the row", async () => {
    const folder = join(scratch, "holiday photos");
    const nested = join(folder, "day 2");
    for (const dir of [folder, nested]) rmSync(dir, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(nested, { recursive: true }));
    const makers: [string, () => Promise<Buffer>][] = [
      ["beach.jpg", () => noise(900, 600).jpeg().toBuffer()],
      ["café+bar.png", () => noise(400, 500).png().toBuffer()],
      ["day 2/hills.webp", () => noise(640, 480).webp().toBuffer()],
      // Stored landscape, EXIF says "rotate 90": a portrait photo as phones write them.
      ["day 2/portrait.jpg", () => noise(400, 300).jpeg().withMetadata({ orientation: 6 }).toBuffer()],
    ];
    for (const [name, make] of makers) writeFileSync(join(folder, name), await make());
    const results = await processFiles(pipeline, collectFiles([folder], "unseen/"), 60_000);
    assert.deepEqual(results.map((r) => [r.key, r.status]).sort(), makers.map(([name]) => [`unseen/${name}`, "ok"]).sort());
    // The portrait is EXIF-rotated: its thumbnails come out upright (taller than wide).
    const portrait = results.find((r) => r.key === "unseen/day 2/portrait.jpg");
    assert.match(portrait?.outputs ?? "", /small 160x213/);
    const db = new Client({ connectionString: pipeline.databaseUrl });
    await db.connect();
    try {
      const rows = await rowsForKeys(
        db,
        pipeline.buckets.raw,
        results.map((r) => r.key),
      );
      assert.deepEqual(rows.map((row) => row.correlationId).sort(), results.map((r) => r.correlationId).sort());
    } finally {
      await db.end();
    }
  });

  it("picks up files dropped into a watched folder", async () => {
    const dir = mkdtempSync(join(scratch, "watch-"));
    const abort = new AbortController();
    const seen: string[] = [];
    const watching = watchFolder(
      dir,
      async (path) => {
        const [result] = await processFiles(pipeline, collectFiles([path], "watch/"), 30_000);
        seen.push(`${result.key} ${result.status}`);
        abort.abort();
      },
      { signal: abort.signal, debounceMs: 100 },
    );
    writeFileSync(join(dir, "dropped.jpg"), await noise(200, 150).jpeg().toBuffer());
    await watching;
    assert.deepEqual(seen, ["watch/dropped.jpg ok"]);
  });
});

/** Photo-like content: random pixels compress like detail, not like a flat colour. */
function noise(width: number, height: number): sharp.Sharp {
  return sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } });
}
