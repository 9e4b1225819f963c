// Benchmark inputs: generated photo-like images (with no --images), or the
// JPEG/PNG/WebP files of a folder.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { detectFormat } from "../../handlers/thumbnails/image";
import { photoLike } from "../../local/samples/photo";

export interface BenchInput {
  path: string;
  label: string;
  width: number;
  height: number;
  bytes: number;
}

interface GeneratedInput {
  file: string;
  width: number;
  height: number;
  encode: (image: sharp.Sharp) => sharp.Sharp;
}

/** A camera-sized set: 24 MP and 12 MP JPEGs at camera quality, and 2.5 MP in each common upload format. */
const GENERATED: GeneratedInput[] = [
  { file: "photo-24mp.jpg", width: 6000, height: 4000, encode: (image) => image.jpeg({ quality: 92 }) },
  { file: "photo-12mp.jpg", width: 4000, height: 3000, encode: (image) => image.jpeg({ quality: 92 }) },
  { file: "photo-2.5mp.jpg", width: 1920, height: 1280, encode: (image) => image.jpeg({ quality: 85 }) },
  { file: "photo-2.5mp.png", width: 1920, height: 1280, encode: (image) => image.png() },
  { file: "photo-2.5mp.webp", width: 1920, height: 1280, encode: (image) => image.webp({ quality: 80 }) },
];

/** The 24 MP JPEG: the "normal photo" the 128 MB function must survive. */
export const LARGE_PHOTO = "photo-24mp.jpg";

/** Formats all three tools read (Debian's ImageMagick policy allows GIF, JPEG, PNG and WebP). */
const COMPARABLE = new Set(["jpeg", "png", "webp"]);

async function describe(path: string, label: string): Promise<BenchInput> {
  const meta = await sharp(path).metadata();
  return { path, label, width: meta.autoOrient.width, height: meta.autoOrient.height, bytes: (await stat(path)).size };
}

export async function generateInputs(dir: string, log: (line: string) => void): Promise<BenchInput[]> {
  const inputs: BenchInput[] = [];
  for (const [index, spec] of GENERATED.entries()) {
    const path = join(dir, spec.file);
    // Grain and texture chosen so the JPEGs land near camera bytes per pixel.
    const image = await photoLike(spec.width, spec.height, { seed: 1000 + index, noise: 7, detail: 0.8 });
    await writeFile(path, await spec.encode(image).toBuffer());
    const input = await describe(path, spec.file);
    log(`generated ${spec.file}: ${spec.width}x${spec.height}, ${(input.bytes / 1024 / 1024).toFixed(1)} MB`);
    inputs.push(input);
  }
  return inputs;
}

/** Every JPEG/PNG/WebP file under `dir` (recursed, sorted); others are reported and skipped. */
export async function inputsFromFolder(dir: string, log: (line: string) => void): Promise<BenchInput[]> {
  const inputs: BenchInput[] = [];
  const visit = async (folder: string): Promise<void> => {
    for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) {
        const format = detectFormat(await readFile(path));
        if (format && COMPARABLE.has(format)) inputs.push(await describe(path, path.slice(dir.length + 1)));
        else log(`skipping ${path}: ${format ?? "unknown format"} (the comparison needs JPEG, PNG or WebP)`);
      }
    }
  };
  await visit(dir);
  return inputs;
}

/** A 16x16 JPEG: what each tool costs to start, load and write, with almost no pixels. */
export async function startupProbe(dir: string): Promise<BenchInput> {
  const path = join(dir, "startup-probe.jpg");
  await writeFile(path, await (await photoLike(16, 16)).jpeg({ quality: 80 }).toBuffer());
  return describe(path, "startup-probe");
}
