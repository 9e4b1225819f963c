// Format detection from magic bytes only. File names and Content-Type headers
// are chosen by whoever uploads, so they never decide which decoder runs.
import type { InputFormat } from "./types";

/** What the bytes are: an accepted input format, "svg" (recognised so it can be refused by name), or undefined. */
export type DetectedFormat = InputFormat | "svg";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function startsWith(bytes: Buffer, prefix: Buffer | string, offset = 0): boolean {
  const expected = typeof prefix === "string" ? Buffer.from(prefix, "latin1") : prefix;
  if (bytes.length < offset + expected.length) return false;
  return bytes.subarray(offset, offset + expected.length).equals(expected);
}

/**
 * AVIF is an ISO-BMFF file whose `ftyp` box lists the `avif` (still) or `avis`
 * (sequence) brand. HEIC shares the container but not the brand, and the
 * prebuilt libvips cannot decode HEVC anyway, so it is not accepted.
 */
function isAvif(bytes: Buffer): boolean {
  if (!startsWith(bytes, "ftyp", 4)) return false;
  const boxSize = bytes.readUInt32BE(0);
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 16, 4096);
  const brandOffsets = [8];
  for (let offset = 16; offset + 4 <= end; offset += 4) brandOffsets.push(offset);
  return brandOffsets.some((offset) => {
    const brand = bytes.toString("latin1", offset, offset + 4);
    return brand === "avif" || brand === "avis";
  });
}

function isTiff(bytes: Buffer): boolean {
  // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
  return (
    startsWith(bytes, Buffer.from([0x49, 0x49, 0x2a, 0x00])) ||
    startsWith(bytes, Buffer.from([0x4d, 0x4d, 0x00, 0x2a])) ||
    startsWith(bytes, Buffer.from([0x49, 0x49, 0x2b, 0x00])) ||
    startsWith(bytes, Buffer.from([0x4d, 0x4d, 0x00, 0x2b]))
  );
}

/** SVG is XML text: recognised so the refusal can say "SVG" rather than "unknown". */
function looksLikeSvg(bytes: Buffer): boolean {
  const head = bytes
    .toString("utf8", 0, Math.min(bytes.length, 4096))
    .replace(/^\uFEFF/, "")
    .trimStart()
    .toLowerCase();
  const xmlish = head.startsWith("<?xml") || head.startsWith("<!doctype") || head.startsWith("<!--") || head.startsWith("<svg");
  return xmlish && head.includes("<svg");
}

/** The format the bytes declare, or undefined when they are none of the formats we know. */
export function detectFormat(bytes: Buffer): DetectedFormat | undefined {
  if (startsWith(bytes, Buffer.from([0xff, 0xd8, 0xff]))) return "jpeg";
  if (startsWith(bytes, PNG_SIGNATURE)) return "png";
  if (startsWith(bytes, "GIF87a") || startsWith(bytes, "GIF89a")) return "gif";
  if (startsWith(bytes, "RIFF") && startsWith(bytes, "WEBP", 8)) return "webp";
  if (isAvif(bytes)) return "avif";
  if (isTiff(bytes)) return "tiff";
  if (looksLikeSvg(bytes)) return "svg";
  return undefined;
}
