// The pixel cap follows the function's memory: at Lambda's smallest size a
// batch of the largest admitted photos must fit (npm run bench:memory
// measures it); a raised memory (the OOM remediator's) raises the cap.
import { strict as assert } from "node:assert";
import { admittedPixels, thumbnailConfigFromEnv } from "../../../handlers/thumbnails/image";

describe("thumbnails: pixel cap tied to memory", () => {
  it("lowers MAX_INPUT_PIXELS at 128 MB and keeps it from 256 MB up", () => {
    assert.ok(admittedPixels(128, 40_000_000) < 40_000_000);
    assert.ok(admittedPixels(128, 40_000_000) >= 24_000_000, "a 24 MP photo is admitted at 128 MB");
    assert.equal(admittedPixels(256, 40_000_000), 40_000_000);
    assert.equal(admittedPixels(undefined, 40_000_000), 40_000_000, "no memory size (pipectl, tests): the cap stands");
  });

  it("reads the memory Lambda reports (AWS_LAMBDA_FUNCTION_MEMORY_SIZE)", () => {
    const at128 = thumbnailConfigFromEnv({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128", MAX_INPUT_PIXELS: "40000000" }).limits.maxInputPixels;
    const at1024 = thumbnailConfigFromEnv({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024", MAX_INPUT_PIXELS: "40000000" }).limits.maxInputPixels;
    assert.equal(at128, admittedPixels(128, 40_000_000));
    assert.equal(at1024, 40_000_000);
  });
});
