// How region-parity recognises regions a program names by role rather than by
// region code (`-main`, `-legal`): inferRegionTokens on its own. The program
// run end to end is tests/toolchain/check/fixtures/programs/named-regions.
import { strict as assert } from "node:assert";
import { inferRegionTokens } from "../../policies/support/matching";

describe("region tokens a program chose itself", () => {
  it("finds the token each region's names carry and no other region's do", () => {
    const inferred = inferRegionTokens(
      new Map([
        ["us-east-1", ["batch-jobs-main", "batch-worker-main", "batch-db-main"]],
        ["eu-central-1", ["batch-jobs-legal", "batch-worker-legal", "batch-db-legal"]],
      ]),
    );
    assert.deepEqual(Object.fromEntries(inferred), { "us-east-1": ["main"], "eu-central-1": ["legal"] });
  });

  it("tolerates a part only one region has, but not a token most names lack", () => {
    const inferred = inferRegionTokens(
      new Map([
        ["us-east-1", ["jobs-main", "worker-main", "worker-main-debug"]],
        ["eu-west-1", ["jobs-eu", "worker-eu", "audit", "archive"]],
      ]),
    );
    // `debug` is in one of three us-east-1 names; `eu` in two of four eu-west-1 names: neither is a region's token.
    assert.deepEqual(Object.fromEntries(inferred), { "us-east-1": ["main"] });
  });

  it("matches whole tokens only, and infers nothing from names already free of region codes", () => {
    assert.deepEqual(
      Object.fromEntries(
        inferRegionTokens(
          new Map([
            ["us-east-1", ["*-queue", "*-worker"]],
            ["eu-west-1", ["*-queue", "*-worker"]],
          ]),
        ),
      ),
      {},
    );
    // `domain` contains `main` but is not the token `main`.
    const inferred = inferRegionTokens(
      new Map([
        ["us-east-1", ["domain-a", "domain-b"]],
        ["eu-west-1", ["main-a", "main-b"]],
      ]),
    );
    assert.deepEqual(Object.fromEntries(inferred), { "us-east-1": ["domain"], "eu-west-1": ["main"] });
  });

  it("needs two regions to tell anything apart", () => {
    assert.equal(inferRegionTokens(new Map([["us-east-1", ["jobs-main", "worker-main"]]])).size, 0);
  });
});
