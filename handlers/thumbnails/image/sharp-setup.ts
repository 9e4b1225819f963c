// Process-wide sharp settings for a Lambda-sized container (128 MB to 1 GB,
// a fraction of a vCPU at the low end). Imported once by the render pipeline.
import sharp from "sharp";
import { FUNCTION_ENVIRONMENTS } from "../../../contracts";

// No operation cache: a thumbnail function never sees the same input twice in a
// row, so the cache (50 MB by default) only holds memory and shows up as RSS drift.
sharp.cache(false);

// One libvips worker thread per image. Each thread keeps its own tile buffers,
// so threads cost memory; a small Lambda has at most one vCPU to give them, and
// glibc malloc fragments more with more threads (sharp picks 1 on glibc without
// jemalloc for the same reason). SHARP_CONCURRENCY overrides it for larger memory sizes.
sharp.concurrency(FUNCTION_ENVIRONMENTS.thumbnails.sharpConcurrency.read(process.env));

export { sharp };
