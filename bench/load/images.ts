// Inputs for the load bench: a pool of photo-like images of varied sizes and
// formats, plus a few hostile files the handler must turn into failed rows
// with a reason (never a crash, a retry loop or a lost upload).
import { crc32 } from "node:zlib";
import sharp from "sharp";

export interface BenchImage {
  name: string;
  body: Buffer;
  /** The failure reason the handler must record; undefined for a good image. */
  expectedFailure?: string;
}

const SIZES: [number, number][] = [
  [640, 480],
  [800, 600],
  [1024, 768],
  [1280, 960],
  [1600, 1200],
  [2048, 1536],
  [480, 640],
  [1200, 1600],
];

/** Noise blurred into blotches: compresses and decodes like a photo, not like a flat colour. */
export async function photoLike(width: number, height: number, seed: number, format: "jpeg" | "webp" | "png"): Promise<Buffer> {
  const base = sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 29) % 256 },
      noise: { type: "gaussian", mean: 120, sigma: 50 },
    },
  }).blur(1.2);
  if (format === "jpeg") return base.jpeg({ quality: 82 }).toBuffer();
  if (format === "webp") return base.webp({ quality: 80 }).toBuffer();
  return base.png({ compressionLevel: 6 }).toBuffer();
}

export async function photoPool(count: number): Promise<BenchImage[]> {
  const pool: BenchImage[] = [];
  for (let i = 0; i < count; i++) {
    const [w, h] = SIZES[i % SIZES.length];
    const format = i % 10 === 9 ? "png" : i % 4 === 3 ? "webp" : "jpeg";
    // PNG photos are big; keep them to the smaller sizes as cameras never write them.
    const [width, height] = format === "png" ? [Math.min(w, 800), Math.min(h, 800)] : [w, h];
    pool.push({ name: `photo-${i}-${width}x${height}.${format === "jpeg" ? "jpg" : format}`, body: await photoLike(width, height, i, format) });
  }
  return pool;
}

/** A PNG whose header claims `width` x `height`: decoding it would need gigabytes. */
function pngDeclaring(width: number, height: number, template: Buffer): Buffer {
  const png = Buffer.from(template);
  // IHDR data starts at byte 16 (8 signature + 4 length + 4 type); its CRC follows the 13 data bytes.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

export async function hostilePool(): Promise<BenchImage[]> {
  const jpeg = await photoLike(640, 480, 7, "jpeg");
  const tinyPng = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
    .png()
    .toBuffer();
  return [
    { name: "empty.jpg", body: Buffer.alloc(0), expectedFailure: "empty" },
    { name: "truncated.jpg", body: jpeg.subarray(0, Math.floor(jpeg.length * 0.4)), expectedFailure: "corrupt" },
    { name: "notes.jpg", body: Buffer.from("shopping list: milk, eggs\n".repeat(20)), expectedFailure: "unsupported-format" },
    {
      name: "vector.svg",
      body: Buffer.from(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">&x;</svg>',
      ),
      expectedFailure: "unsupported-format",
    },
    { name: "bomb.png", body: pngDeclaring(60_000, 60_000, tinyPng), expectedFailure: "too-many-pixels" },
  ];
}
