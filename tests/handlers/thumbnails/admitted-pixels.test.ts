// The pixel cap follows the function's memory: at Lambda's smallest size a
// batch of the largest admitted photos must fit (npm run bench:memory
// measures it); a raised memory (the OOM remediator's) raises the cap.
import { strict as assert } from "node:assert";
import { admittedPixels, thumbnailConfigFromEnv } from "../../../handlers/thumbnails/image";
import { checkHeader } from "../../../handlers/thumbnails/image/validate";

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

  it("says in a refusal that the memory lowered the cap, and what admits the image", () => {
    const at128 = thumbnailConfigFromEnv({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128", MAX_INPUT_PIXELS: "40000000" }).limits;
    const refused = checkHeader("jpeg", { decoder: "jpeg", width: 6000, frameHeight: 5000 }, at128);
    assert.equal(refused?.reason, "too-many-pixels");
    assert.match(
      refused?.detail ?? "",
      new RegExp(
        `^6000x5000 = 30000000 pixels is over the ${at128.maxInputPixels}-pixel cap \\(MAX_INPUT_PIXELS 40000000, lowered to what the function's 128 MB of memory admits; a larger memory size admits more\\)$`,
      ),
    );
    const at1024 = thumbnailConfigFromEnv({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024", MAX_INPUT_PIXELS: "20000000" }).limits;
    assert.match(
      checkHeader("jpeg", { decoder: "jpeg", width: 6000, frameHeight: 5000 }, at1024)?.detail ?? "",
      /-pixel cap \(MAX_INPUT_PIXELS\)$/,
      "the setting itself",
    );
  });
});
