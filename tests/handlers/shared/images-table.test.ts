// The images table module's pure part: how rows count per key.
import { strict as assert } from "node:assert";
import { countStatuses, type StoredImageRow } from "../../../handlers/shared/images-table";

describe("images table", () => {
  describe("already processed objects", () => {
    const common = {
      id: "1",
      transactionId: "t",
      correlationId: "c",
      originalUrl: "s3://raw/k",
      rawBucket: "raw",
      rawKey: "k",
      rawVersionId: undefined,
      rawETag: undefined,
      inputBytes: undefined,
      stageTimings: {},
      createdAt: new Date("2026-01-02T00:00:00Z"),
    };
    const ok = (rawKey = "k"): StoredImageRow => ({
      ...common,
      rawKey,
      status: "ok",
      thumbnailUrlSmall: undefined,
      thumbnailUrlMedium: undefined,
      outputs: [],
      inputFormat: "jpeg",
      inputWidth: 1,
      inputHeight: 1,
      outputBytes: 0,
    });
    const failed = (rawKey = "k"): StoredImageRow => ({ ...common, rawKey, status: "failed", failureReason: "corrupt", failureDetail: "" });
    it("counts a key by its newest row", () => {
      const counts = countStatuses(["k", "gone", "bad"], [failed(), ok(), failed("bad")]);
      assert.deepEqual(counts, { ok: 1, failedByReason: { corrupt: 1 }, missing: ["gone"] });
    });
  });
});
