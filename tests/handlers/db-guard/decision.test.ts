import { strict as assert } from "node:assert";
import { DEFAULT_POLICY, readDbGuardConfig, readThreshold } from "../../../handlers/db-guard/config";
import { decideConnections, evaluateWindow, isBreach, judgeReading, utilization } from "../../../handlers/db-guard/decide";
import type { ConnectionSample } from "../../../handlers/db-guard/measure";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const sample = (active: number, max: number, minute: number): ConnectionSample => ({
  active,
  total: active + 1,
  max,
  hidden: 0,
  at: new Date(T0 + minute * 60_000),
});

describe("db-guard decision", () => {
  it("utilization is active over max_connections, and a breach is strictly above the threshold", () => {
    assert.equal(utilization({ active: 17, max: 20 }), 0.85);
    assert.equal(isBreach({ active: 17, max: 20 }, 0.8), true);
    assert.equal(isBreach({ active: 16, max: 20 }, 0.8), false);
    assert.equal(utilization({ active: 3, max: 0 }), 0);
  });

  it("raises by the step and never beyond the 200 ceiling", () => {
    assert.deepEqual(pick(decideConnections(20, undefined, DEFAULT_POLICY)), { action: "raise", to: 30 });
    assert.deepEqual(pick(decideConnections(100, 100, DEFAULT_POLICY)), { action: "raise", to: 110 });
    assert.deepEqual(pick(decideConnections(195, undefined, DEFAULT_POLICY)), { action: "raise", to: 200 });
    assert.equal(decideConnections(200, 200, DEFAULT_POLICY).action, "at-ceiling");
    assert.equal(decideConnections(250, undefined, DEFAULT_POLICY).action, "at-ceiling");
  });

  it("does not raise again while an earlier raise waits for a reboot", () => {
    const d = decideConnections(100, 110, DEFAULT_POLICY);
    assert.equal(d.action, "reboot-pending");
    assert.equal(d.action === "reboot-pending" && d.pendingMax, 110);
    // A group value at or below the running value is no pending change.
    assert.equal(decideConnections(100, 90, DEFAULT_POLICY).action, "raise");
  });

  describe("the 5-of-5 rule", () => {
    const hot = [0, 1, 2, 3, 4].map((m) => sample(17, 20, m));
    it("needs five consecutive one-minute samples above the threshold", () => {
      assert.equal(evaluateWindow(hot, 0.8).breach, true);
      assert.equal(evaluateWindow(hot.slice(1), 0.8).breach, false);
    });
    it("one sample at or below the threshold breaks the run", () => {
      const broken = [...hot.slice(0, 2), sample(16, 20, 2), ...hot.slice(3)];
      const verdict = evaluateWindow(broken, 0.8);
      assert.equal(verdict.breach, false);
      assert.match(!verdict.breach ? verdict.reason : "", /not above 0.8/);
    });
    it("a missing minute breaks the run; only the latest five count; order does not matter", () => {
      const gap = [0, 1, 2, 4, 5].map((m) => sample(17, 20, m));
      assert.equal(evaluateWindow(gap, 0.8).breach, false);
      const recovered = [sample(2, 20, -1), ...hot];
      assert.equal(evaluateWindow([...recovered].reverse(), 0.8).breach, true);
      assert.equal(evaluateWindow([...hot, sample(3, 20, 5)], 0.8).breach, false);
    });
  });

  it("judges a single reading as `pipectl db-guard --json` prints it", () => {
    assert.deepEqual(judgeReading(sample(17, 20, 0), DEFAULT_POLICY), {
      active: 17,
      total: 18,
      max: 20,
      utilization: 0.85,
      threshold: 0.8,
      breach: true,
      proposedMaxConnections: 30,
      action: "raise",
      reason: "utilization above 0.8: +10 (step 10, ceiling 200)",
    });
    const calm = judgeReading(sample(2, 20, 0), DEFAULT_POLICY);
    assert.equal(calm.breach, false);
    assert.equal(calm.proposedMaxConnections, null);
    assert.equal(judgeReading(sample(190, 200, 0), DEFAULT_POLICY).proposedMaxConnections, null);
  });

  it("reads its settings and names a bad one", () => {
    const env = {
      PIPELINE_REGION: "eu-central-1",
      DB_INSTANCE_ID: "db",
      DB_PARAMETER_GROUP: "pg",
      MAX_CONNECTIONS_FLOOR_PARAMETER: "/f",
      ALERT_TOPIC_ARN: "a",
      TICKET_TOPIC_ARN: "t",
    };
    const c = readDbGuardConfig(env);
    assert.deepEqual([c.threshold, c.step, c.ceiling, c.allowReboot], [0.8, 10, 200, false]);
    assert.equal(readDbGuardConfig({ ...env, ALLOW_REBOOT: "true" }).allowReboot, true);
    assert.throws(() => readDbGuardConfig({ ...env, CONNECTION_THRESHOLD: "80%" }), /CONNECTION_THRESHOLD is "80%"; expected a fraction/);
    assert.throws(() => readThreshold("1.5"), /expected a fraction/);
    assert.throws(() => readDbGuardConfig({ ...env, DB_PARAMETER_GROUP: undefined }), /DB_PARAMETER_GROUP is not set/);
  });
});

function pick(d: ReturnType<typeof decideConnections>) {
  return { action: d.action, to: d.action === "raise" ? d.toMax : undefined };
}
