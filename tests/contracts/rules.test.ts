// The shared rules: one thumbnail rule for the stack config and the
// functions' environment, and the "did you mean" both sides answer typos with.
import assert from "node:assert/strict";
import {
  DEFAULT_FORMATS,
  DEFAULT_SIZES,
  didYouMean,
  editDistance,
  functionNameFromOomAlarm,
  functionAlarmName,
  nearestValue,
  parseFormats,
  parseSizes,
  sizeProblems,
  THUMBNAIL_WIDTH,
} from "../../contracts";
import { parseConfig, ConfigError } from "../../infra/config";

const STACK = { regions: [{ name: "eu-central-1" }], alerts: { emails: ["oncall@example.com"] } };

function stackProblems(thumbnails: unknown): string[] {
  try {
    parseConfig("dev", { ...STACK, thumbnails });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe("contracts: rules both sides apply", () => {
  it("accept and refuse the same thumbnail sizes in the stack config and in THUMBNAIL_SIZES", () => {
    const cases: [{ name: unknown; width: unknown }, boolean][] = [
      [{ name: "small", width: 160 }, true],
      [{ name: "x_large", width: THUMBNAIL_WIDTH.max }, true],
      [{ name: "tiny", width: THUMBNAIL_WIDTH.min }, true],
      [{ name: "tiny", width: THUMBNAIL_WIDTH.min - 1 }, false],
      [{ name: "huge", width: THUMBNAIL_WIDTH.max + 1 }, false],
      [{ name: "Small", width: 160 }, false],
      [{ name: "1st", width: 160 }, false],
      [{ name: "small", width: 160.5 }, false],
    ];
    for (const [size, ok] of cases) {
      assert.equal(sizeProblems(size).length === 0, ok, JSON.stringify(size));
      assert.equal(stackProblems({ sizes: [size] }).length === 0, ok, `stack config ${JSON.stringify(size)}`);
      assert.equal(
        (() => {
          try {
            parseSizes(JSON.stringify([size]));
            return true;
          } catch {
            return false;
          }
        })(),
        ok,
        `THUMBNAIL_SIZES ${JSON.stringify(size)}`,
      );
    }
  });

  it("default to the same sizes and formats on both sides", () => {
    const cfg = parseConfig("dev", STACK);
    assert.deepEqual(cfg.thumbnailSizes, DEFAULT_SIZES);
    assert.deepEqual(cfg.thumbnailFormats, DEFAULT_FORMATS);
    assert.deepEqual(parseFormats("JPG, webp"), ["jpeg", "webp"]);
    assert.deepEqual(parseConfig("dev", { ...STACK, thumbnails: { formats: ["jpg"] } }).thumbnailFormats, ["jpeg"]);
  });

  it("count a swap of neighbouring characters as one edit, and suggest only near misses", () => {
    assert.equal(editDistance("wepb", "webp"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(nearestValue("lgeal", ["legal"]), "legal");
    assert.equal(nearestValue("info", ["DEBUG", "INFO"]), "INFO");
    assert.equal(nearestValue("completely-else", ["legal"]), undefined);
    assert.equal(didYouMean("legal", ["legal"]), "");
    assert.equal(didYouMean("lega", ["legal"]), '; did you mean "legal"?');
  });

  it("name an OOM alarm so the remediator finds its function again", () => {
    assert.equal(functionNameFromOomAlarm(functionAlarmName("p-eu-central-1-thumbnails", "oom")), "p-eu-central-1-thumbnails");
    assert.equal(functionNameFromOomAlarm(functionAlarmName("p-eu-central-1-thumbnails", "memory")), undefined);
    assert.equal(functionNameFromOomAlarm("-oom"), undefined);
  });
});
