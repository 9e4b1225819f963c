// Uploads files through the local pipeline and waits until each has ended:
// a row (ok or failed with its reason), a dead letter, or the timeout.
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { randomUUID } from "node:crypto";
import type { UploadFile } from "./files";
import type { LocalPipeline } from "./pipeline";
import { imageResult, type ImageResult } from "./start-report";

export async function processFiles(pipeline: LocalPipeline, files: readonly UploadFile[], timeoutMs: number): Promise<ImageResult[]> {
  const uploads = [];
  for (const file of files) {
    const correlationId = `local-${randomUUID()}`;
    const uploadedAt = Date.now();
    await pipeline.upload({ key: file.key, body: await readFile(file.path), correlationId });
    uploads.push({ file: relative(process.cwd(), file.path) || file.path, key: file.key, correlationId, uploadedAt });
  }
  const waited = await pipeline.waitForRows(
    uploads.map((u) => u.key),
    { timeoutMs },
  );
  const dead = new Set(waited.inDlq);
  return uploads.map((u) => imageResult(u, waited.rows.get(u.key), dead.has(u.key)));
}
