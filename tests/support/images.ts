// Encoded test images made on the fly with sharp or by writing the bytes, so the
// suites need no binary fixtures and every hostile property is visible in code.
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";
import { photoLike as samplePhoto } from "../../local/samples/photo";

/** A photo-like RGB image (sky, textured ground, grain) as lossless PNG bytes, ready to re-encode. */
export async function photoLike(width: number, height: number, seed = 1): Promise<Buffer> {
  return (await samplePhoto(width, height, { seed })).png({ compressionLevel: 1 }).toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, bitDepth: number, colourType: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.writeUInt8(bitDepth, 8);
  data.writeUInt8(colourType, 9); // compression, filter and interlace stay 0
  return pngChunk("IHDR", data);
}

/** A 60-byte PNG whose valid IHDR (correct CRC) declares `width` x `height` RGB pixels it does not contain. */
export function pngDeclaringSize(width: number, height: number): Buffer {
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, 8, 2), pngChunk("IDAT", deflateSync(Buffer.alloc(4))), pngChunk("IEND", Buffer.alloc(0))]);
}

/**
 * A real decompression bomb: a complete 1-bit greyscale PNG of all-zero rows.
 * 8000 x 8000 (64 MP, about 190 MB once decoded to RGB) compresses to a few kB.
 */
export function pngBomb(width: number, height: number): Buffer {
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed 1-bit samples
  const pixels = deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, 1, 0), pngChunk("IDAT", pixels), pngChunk("IEND", Buffer.alloc(0))]);
}

/** An animated GIF with `frames` frames; frame 0 is red, the rest alternate blue and green. */
export async function animatedGif(frames: number, size: number): Promise<Buffer> {
  const frameBytes = size * size * 3;
  const raw = Buffer.alloc(frameBytes * frames);
  for (let frame = 0; frame < frames; frame++) {
    const colour = frame === 0 ? [255, 0, 0] : frame % 2 ? [0, 0, 255] : [0, 255, 0];
    for (let offset = frame * frameBytes; offset < (frame + 1) * frameBytes; offset += 3) raw.set(colour, offset);
  }
  return sharp(raw, { raw: { width: size, height: size * frames, channels: 3, pageHeight: size } })
    .gif()
    .toBuffer();
}

export type Rgb = [number, number, number];

/**
 * An upright test picture, `width` x `height` (landscape), grey with a red
 * marker in the top-left quadrant: any wrong rotation or mirror moves the marker.
 */
export function uprightPixel(x: number, y: number, width: number, height: number): Rgb {
  return x < width / 2 && y < height / 2 && x >= width / 8 && y >= height / 8 ? [220, 20, 20] : [128, 128, 128];
}

/**
 * Where stored pixel (sx, sy) appears once a viewer applies EXIF orientation
 * `orientation` (TIFF/EXIF 2.3 definitions) to a stored image of storedWidth x storedHeight.
 */
export function displayedPosition(orientation: number, sx: number, sy: number, storedWidth: number, storedHeight: number): [number, number] {
  switch (orientation) {
    case 1:
      return [sx, sy];
    case 2:
      return [storedWidth - 1 - sx, sy];
    case 3:
      return [storedWidth - 1 - sx, storedHeight - 1 - sy];
    case 4:
      return [sx, storedHeight - 1 - sy];
    case 5:
      return [sy, sx];
    case 6:
      return [storedHeight - 1 - sy, sx];
    case 7:
      return [storedHeight - 1 - sy, storedWidth - 1 - sx];
    case 8:
      return [sy, storedWidth - 1 - sx];
    default:
      throw new RangeError(`EXIF orientation is 1..8, got ${orientation}`);
  }
}

/**
 * A JPEG whose stored pixels, once rotated/mirrored as EXIF `orientation`
 * says, show the upright picture above: what a phone camera writes.
 */
export async function orientedJpeg(orientation: number, uprightWidth: number, uprightHeight: number): Promise<Buffer> {
  const swapped = orientation >= 5;
  const storedWidth = swapped ? uprightHeight : uprightWidth;
  const storedHeight = swapped ? uprightWidth : uprightHeight;
  const raw = Buffer.alloc(storedWidth * storedHeight * 3);
  for (let sy = 0; sy < storedHeight; sy++) {
    for (let sx = 0; sx < storedWidth; sx++) {
      const [dx, dy] = displayedPosition(orientation, sx, sy, storedWidth, storedHeight);
      raw.set(uprightPixel(dx, dy, uprightWidth, uprightHeight), (sy * storedWidth + sx) * 3);
    }
  }
  return sharp(raw, { raw: { width: storedWidth, height: storedHeight, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation })
    .toBuffer();
}

/** A JPEG carrying camera EXIF with a GPS position (IFD3). */
export async function jpegWithGps(): Promise<Buffer> {
  return sharp(await photoLike(640, 480))
    .jpeg()
    .withExif({
      IFD0: { Make: "TestCam", Model: "Model 1" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "52/1 31/1 12/1", GPSLongitudeRef: "E", GPSLongitude: "13/1 24/1 36/1" },
    })
    .toBuffer();
}

/** True when raw EXIF bytes contain a GPS IFD pointer (tag 0x8825) in either byte order. */
export function exifHasGpsPointer(exif: Buffer): boolean {
  return exif.includes(Buffer.from([0x88, 0x25, 0x00, 0x04])) || exif.includes(Buffer.from([0x25, 0x88, 0x04, 0x00]));
}

/** The average colour of a square around (x, y) of an encoded image. */
export async function colourAt(encoded: Buffer, x: number, y: number, radius = 2): Promise<Rgb> {
  const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sum = [0, 0, 0];
  let count = 0;
  for (let yy = Math.max(0, y - radius); yy <= Math.min(info.height - 1, y + radius); yy++) {
    for (let xx = Math.max(0, x - radius); xx <= Math.min(info.width - 1, x + radius); xx++) {
      const offset = (yy * info.width + xx) * info.channels;
      for (let c = 0; c < 3; c++) sum[c] += data[offset + c];
      count++;
    }
  }
  return sum.map((value) => Math.round(value / count)) as Rgb;
}

/** An SVG whose DOCTYPE declares an external entity pointing at `path` (an XXE attempt). */
export function svgWithExternalEntity(path: string): Buffer {
  return Buffer.from(
    `<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY secret SYSTEM "file://${path}">]>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><text x="10" y="20">&secret;</text></svg>\n`,
  );
}
