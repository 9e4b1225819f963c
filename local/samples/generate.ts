// Writes the small sample images kept in samples/ (used by `npm start` and
// `npx pipectl process samples`). Run: npx tsx local/samples/generate.ts [DIR]
// Deterministic for a given sharp/libvips version.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { cliProgram, exitWith, runCli } from "../../cli/exit-codes";
import { photoLike } from "./photo";

interface Sample {
  file: string;
  what: string;
  make: () => Promise<Buffer>;
}

const SAMPLES: Sample[] = [
  {
    file: "harbour.jpg",
    what: "ordinary landscape JPEG",
    make: async () => (await photoLike(1200, 800, { seed: 11 })).jpeg({ quality: 82 }).toBuffer(),
  },
  {
    file: "phone-portrait.jpg",
    what: "portrait JPEG stored sideways with EXIF orientation 6 and a GPS position, as phones write it",
    make: async () =>
      // Stored turned 90 degrees anticlockwise; orientation 6 tells viewers to turn it back.
      (await photoLike(768, 1024, { seed: 12 }))
        .rotate(270)
        .jpeg({ quality: 82 })
        .withMetadata({ orientation: 6 })
        .withExif({
          IFD0: { Make: "SampleCam", Model: "Phone 1", Orientation: "6" },
          IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 8/1 23/1", GPSLongitudeRef: "E", GPSLongitude: "11/1 34/1 30/1" },
        })
        .toBuffer(),
  },
  {
    file: "sticker.png",
    what: "PNG with an alpha channel (round cut-out)",
    make: async () => {
      const mask = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="480" height="480"><circle cx="240" cy="240" r="220"/></svg>');
      const rgb = await (await photoLike(480, 480, { seed: 13 })).png().toBuffer();
      return sharp(rgb)
        .ensureAlpha()
        .composite([{ input: mask, blend: "dest-in" }])
        .png({ compressionLevel: 9 })
        .toBuffer();
    },
  },
  {
    file: "meadow.webp",
    what: "lossy WebP",
    make: async () => (await photoLike(1000, 667, { seed: 14 })).webp({ quality: 80 }).toBuffer(),
  },
  {
    file: "spinner.gif",
    what: "animated GIF, 12 frames (only the first is thumbnailed)",
    make: async () => {
      const size = 160;
      const frames = await Promise.all(
        Array.from({ length: 12 }, async (_, frame) => (await photoLike(size, size, { seed: 100 + frame, noise: 0, detail: 0.2 })).raw().toBuffer()),
      );
      return sharp(Buffer.concat(frames), { raw: { width: size, height: size * frames.length, channels: 3, pageHeight: size } })
        .gif({ delay: 80, loop: 0 })
        .toBuffer();
    },
  },
];

async function main(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  let total = 0;
  for (const sample of SAMPLES) {
    const bytes = await sample.make();
    await writeFile(join(dir, sample.file), bytes);
    total += bytes.length;
    process.stdout.write(`${sample.file.padEnd(20)} ${(bytes.length / 1024).toFixed(0).padStart(5)} kB  ${sample.what}\n`);
  }
  process.stdout.write(`total ${(total / 1024).toFixed(0)} kB in ${dir}\n`);
}

const program = cliProgram("tsx local/samples/generate.ts", "Write the sample images npm start uploads")
  .argument("[dir]", "where to write them", "samples")
  .action(main);

void runCli(program).then(exitWith);
