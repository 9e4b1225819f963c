// The thumbnailers under comparison and the exact commands the C tools run
// (ours runs as Lambda runs it: ours.ts). Like for like: same output widths
// (never upscaled), JPEG at the same quality, metadata stripped, EXIF
// orientation applied, and one thread each (ours: the function's own
// SHARP_CONCURRENCY default of 1), so CPU seconds compare work rather than
// thread overhead.
import { accessSync, constants, openSync, readSync, closeSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { JPEG_QUALITY, type ThumbnailSpec } from "../../handlers/thumbnails/image";

export type ToolId = "ours" | "convert" | "vipsthumbnail";

export interface RunCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
}

export interface Tool {
  id: ToolId;
  label: string;
  /** Commands that together write every size for one input (vipsthumbnail needs one per size). */
  commands: (input: string, outDir: string, stem: string) => RunCommand[];
}

/** One thread for each C tool: libvips (vipsthumbnail), ImageMagick's OpenMP. */
const ONE_THREAD = { VIPS_CONCURRENCY: "1", MAGICK_THREAD_LIMIT: "1", OMP_NUM_THREADS: "1" };

function isElf(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

/**
 * The first executable named `name` on PATH that is a real binary. Wrapper
 * scripts are passed over: their interpreter's start-up would be billed to the
 * tool being measured.
 */
export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      const real = realpathSync(candidate);
      if (isElf(real)) return real;
    } catch {
      // not here, or not readable: keep looking
    }
  }
  return undefined;
}

/** Sizes largest first: each size is made from the previous one where a tool allows it. */
function largestFirst(specs: ThumbnailSpec[]): ThumbnailSpec[] {
  return [...specs].sort((a, b) => b.width - a.width);
}

/**
 * ImageMagick as the story runs it: decode the full image, resize, write.
 * One invocation makes every size, the smaller ones from the larger result
 * (as ours does); no `-define jpeg:size` hint, which plain `convert` does not use.
 */
export function convertTool(binary: string, specs: ThumbnailSpec[]): Tool {
  return {
    id: "convert",
    label: "ImageMagick convert",
    commands: (input, outDir, stem) => {
      const steps = largestFirst(specs).flatMap((spec, index, all) => {
        const out = join(outDir, `${stem}.${spec.name}.jpg`);
        return ["-resize", `${spec.width}x>`, "-quality", String(JPEG_QUALITY), ...(index === all.length - 1 ? [out] : ["-write", out])];
      });
      return [{ file: binary, args: [input, "-auto-orient", "-strip", ...steps], env: ONE_THREAD }];
    },
  };
}

/** libvips' own CLI: shrink-on-load, one size per invocation. */
export function vipsthumbnailTool(binary: string, specs: ThumbnailSpec[]): Tool {
  return {
    id: "vipsthumbnail",
    label: "vipsthumbnail",
    commands: (input, outDir, stem) =>
      largestFirst(specs).map((spec) => ({
        file: binary,
        args: [input, "--size", `${spec.width}x>`, "-o", `${join(outDir, `${stem}.${spec.name}.jpg`)}[Q=${JPEG_QUALITY},strip]`],
        env: ONE_THREAD,
      })),
  };
}

/** What to install when a tool is missing (Debian/Ubuntu package names). */
export const PACKAGE_FOR: Readonly<Record<string, string>> = {
  convert: "imagemagick",
  vipsthumbnail: "libvips-tools",
  "/usr/bin/time": "time",
  bash: "bash",
};
