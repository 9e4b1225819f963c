// Deterministic photo-like pixels: two octaves of smooth random colour (sky,
// shapes, shading) plus fine sensor-like noise, so JPEG compresses it about as
// it compresses a camera photo. Used for the committed samples, the benchmark
// inputs and the image tests.
import sharp from "sharp";

/** mulberry32: a tiny seeded PRNG, so the same seed gives the same picture. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random values on a coarse grid, upscaled smoothly to width x height (8-bit raw, `channels` per pixel). */
async function smoothField(width: number, height: number, cell: number, channels: 1 | 3, random: () => number): Promise<Buffer> {
  const gridWidth = Math.max(2, Math.ceil(width / cell));
  const gridHeight = Math.max(2, Math.ceil(height / cell));
  const grid = Buffer.alloc(gridWidth * gridHeight * channels);
  for (let i = 0; i < grid.length; i++) grid[i] = Math.floor(random() * 256);
  return sharp(grid, { raw: { width: gridWidth, height: gridHeight, channels } })
    .resize(width, height, { fit: "fill", kernel: "cubic" })
    .raw()
    .toBuffer();
}

export interface PhotoOptions {
  seed?: number;
  /** Standard deviation of the per-pixel grain, 0..255 (default 5, a clean daylight photo). */
  noise?: number;
  /** Strength of the fine texture (grass, foliage), 0..1 (default 0.5). */
  detail?: number;
}

const SKY_TOP = [62, 110, 185];
const SKY_HORIZON = [205, 225, 240];
const GROUND_NEAR = [70, 92, 40];
const GROUND_FAR = [120, 130, 70];

/**
 * A photo-like landscape as a sharp pipeline over raw RGB pixels: a sky
 * gradient over textured ground, with broad colour variation and sensor grain.
 * Encode it as you like.
 */
export async function photoLike(width: number, height: number, options: PhotoOptions = {}): Promise<sharp.Sharp> {
  const random = seededRandom(options.seed ?? 1);
  const noise = options.noise ?? 5;
  const detail = options.detail ?? 0.5;
  const colour = await smoothField(width, height, Math.max(width, height) / 5, 3, random);
  const texture = await smoothField(width, height, Math.max(4, Math.round(Math.min(width, height) / 120)), 1, random);
  const horizonBase = 0.45 + random() * 0.15;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const horizon = horizonBase + 0.06 * Math.sin((x / width) * Math.PI * 2 + horizonBase * 10);
      const v = y / height;
      const inSky = v < horizon;
      const t = inSky ? v / horizon : (v - horizon) / (1 - horizon);
      const textureAmount = (inSky ? 10 : 70) * detail;
      const shade = ((texture[i] - 128) / 128) * textureAmount;
      for (let c = 0; c < 3; c++) {
        const base = inSky ? SKY_TOP[c] + (SKY_HORIZON[c] - SKY_TOP[c]) * t : GROUND_FAR[c] + (GROUND_NEAR[c] - GROUND_FAR[c]) * t;
        // Sum of uniforms approximates Gaussian grain cheaply.
        const grain = (random() + random() + random() - 1.5) * 2 * noise;
        const value = base + (colour[i * 3 + c] - 128) * 0.35 + shade + grain;
        pixels[i * 3 + c] = value < 0 ? 0 : value > 255 ? 255 : value;
      }
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}
