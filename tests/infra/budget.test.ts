import assert from "node:assert/strict";
import { connectionBudget, floorsFromParameters, resolveMaxConnections, resolveMemory, visibilityTimeoutSeconds } from "../../infra/budget";

describe("infra budget decisions", () => {
  it("keeps a raised memory floor and clamps it to the remediation cap", () => {
    assert.equal(resolveMemory(256, undefined, 1024), 256);
    assert.equal(resolveMemory(256, 384, 1024), 384);
    assert.equal(resolveMemory(512, 384, 1024), 512, "a floor below the configured memory changes nothing");
    assert.equal(resolveMemory(256, 2048, 1024), 1024);
  });

  it("keeps db-guard's max_connections floor up to the ceiling", () => {
    assert.equal(resolveMaxConnections(100, 110, 200), 110);
    assert.equal(resolveMaxConnections(100, 90, 200), 100);
    assert.equal(resolveMaxConnections(100, 260, 200), 200);
  });

  it("gives thumbnails what the other database users leave of 80% of max_connections", () => {
    for (const max of [15, 20, 100, 150, 200]) {
      const b = connectionBudget(max);
      assert.ok(b.used <= 0.8 * max, `${b.used} connections exceed 80% of ${max}`);
      assert.equal(b.used, Math.floor(0.8 * max), "the budget is used fully");
      assert.ok(b.concurrency.thumbnails >= 2, "SQS maximumConcurrency is at least 2");
      assert.deepEqual([b.concurrency.migrate, b.concurrency["db-guard"], b.concurrency.canary, b.concurrency["result-publisher"]], [1, 1, 1, 1]);
      assert.equal(b.concurrency.api, 5, "the api function gets api.concurrency (default 5)");
    }
    assert.equal(connectionBudget(100).concurrency.thumbnails, 71, "80 less 4 singletons and 5 for api");
    assert.equal(connectionBudget(100, undefined, 20).concurrency.thumbnails, 56, "a larger api.concurrency comes out of thumbnails' share");
    assert.equal(connectionBudget(200, 50).concurrency.thumbnails, 50, "a configured cap below the budget wins");
  });

  it("refuses a max_connections too small for two thumbnail workers", () => {
    assert.throws(
      () => connectionBudget(12),
      /max_connections 12 leaves 0 connections for thumbnails after 9 for migrate, db-guard, canary, result-publisher and api \(5\).*raise database.maxConnections/,
    );
  });

  it("sets queue visibility to six function timeouts", () => {
    assert.equal(visibilityTimeoutSeconds(60), 360);
    assert.equal(visibilityTimeoutSeconds(3), 30, "never below SQS's default");
  });

  it("reads floors by the last path segment and reports unusable values", () => {
    const { floors, ignored } = floorsFromParameters(["/p/memory-floor/fn-a", "/p/memory-floor/fn-b"], ["384", "lots"]);
    assert.deepEqual([...floors], [["fn-a", 384]]);
    assert.deepEqual(ignored, ['/p/memory-floor/fn-b="lots"']);
  });
});
