// The thumbnail function's settings: defaults, and errors naming the setting.
import { strict as assert } from "node:assert";
import { readS3EndpointConfig, readThumbnailConfig } from "../../../handlers/thumbnails/config";

const BASE = { RAW_BUCKET: "raw", THUMBNAILS_BUCKET: "thumbs", THUMBNAILS_BASE_URL: "https://cdn.example/" };

describe("thumbnail settings", () => {
  it("defaults to the story's sizes in JPEG then WebP under the contract's caps", () => {
    const config = readThumbnailConfig(BASE);
    assert.equal(config.thumbnailsBaseUrl, "https://cdn.example");
    assert.deepEqual(config.specs, [
      { name: "small", width: 160, format: "jpeg" },
      { name: "medium", width: 320, format: "jpeg" },
      { name: "small", width: 160, format: "webp" },
      { name: "medium", width: 320, format: "webp" },
    ]);
    assert.deepEqual(config.limits, { maxInputBytes: 50 * 1024 * 1024, maxInputPixels: 40_000_000 });
  });

  it("takes sizes, formats (primary first) and caps from the environment", () => {
    const config = readThumbnailConfig({
      ...BASE,
      THUMBNAIL_SIZES: '[{"name":"small","width":100},{"name":"large","width":800}]',
      THUMBNAIL_FORMATS: "webp,jpeg",
      MAX_INPUT_BYTES: "1000",
      MAX_INPUT_PIXELS: "2000",
    });
    assert.deepEqual(
      config.specs.map((spec) => `${spec.name}@${spec.width}.${spec.format}`),
      ["small@100.webp", "large@800.webp", "small@100.jpeg", "large@800.jpeg"],
    );
    assert.deepEqual(config.limits, { maxInputBytes: 1000, maxInputPixels: 2000 });
  });

  it("names what is missing or malformed", () => {
    assert.throws(() => readThumbnailConfig({ RAW_BUCKET: "raw", THUMBNAILS_BASE_URL: "https://x" }), /THUMBNAILS_BUCKET is not set/);
    assert.throws(() => readThumbnailConfig({ THUMBNAILS_BUCKET: "thumbs", THUMBNAILS_BASE_URL: "https://x" }), /RAW_BUCKET is not set/);
    assert.throws(() => readThumbnailConfig({ ...BASE, THUMBNAILS_BUCKET: "raw" }), /THUMBNAILS_BUCKET is "raw"; expected a bucket other than RAW_BUCKET/);
    assert.throws(
      () => readThumbnailConfig({ ...BASE, THUMBNAILS_BASE_URL: "cdn.example" }),
      /THUMBNAILS_BASE_URL is "cdn.example"; expected an absolute http\(s\) URL/,
    );
    assert.throws(() => readThumbnailConfig({ ...BASE, THUMBNAILS_BASE_URL: "ftp://cdn.example" }), /THUMBNAILS_BASE_URL is "ftp:\/\/cdn.example"/);
    assert.throws(() => readThumbnailConfig({ ...BASE, THUMBNAIL_FORMATS: "gif" }), /Invalid thumbnail configuration: THUMBNAIL_FORMATS/);
    assert.throws(() => readThumbnailConfig({ ...BASE, MAX_INPUT_BYTES: "lots" }), /MAX_INPUT_BYTES/);
  });

  it("points S3 at a local endpoint only when asked", () => {
    assert.deepEqual(readS3EndpointConfig({}), { forcePathStyle: false });
    assert.deepEqual(readS3EndpointConfig({ S3_ENDPOINT: "http://127.0.0.1:4569", S3_FORCE_PATH_STYLE: "true" }), {
      endpoint: "http://127.0.0.1:4569",
      forcePathStyle: true,
    });
    assert.throws(() => readS3EndpointConfig({ S3_ENDPOINT: "localhost:4569x" }), /S3_ENDPOINT/);
  });
});
