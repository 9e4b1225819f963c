// A database outage longer than the queue's plain redelivery can ride out:
// with the function's retry schedule (ChangeMessageVisibility, doubling per
// receive) every upload ends ok and nothing is dead-lettered. The schedule
// here survives 31 s; without it the same queue (1 s visibility, 6 receives)
// would dead-letter within about 5 s. The deployed settings, scaled, are
// played for minutes by `npm run bench:outage`.
import { strict as assert } from "node:assert";
import { runOutage } from "../../../bench/outage/scenario";

describe("a database outage on the local pipeline", function () {
  this.timeout(180_000);

  it("ends with every upload ok and no dead letter when failed messages are held back by the schedule", async () => {
    const saved = { log: process.env.POWERTOOLS_LOG_LEVEL, metrics: process.env.POWERTOOLS_METRICS_DISABLED };
    process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
    process.env.POWERTOOLS_METRICS_DISABLED = "true";
    try {
      const result = await runOutage({
        uploads: 20,
        outageSeconds: 8,
        visibilitySeconds: 1,
        functionTimeoutSeconds: 5,
        schedule: { baseSeconds: 1, maxReceiveCount: 6 },
        holdBack: true,
      });
      assert.equal(result.survivableSeconds, 31);
      assert.deepEqual(
        { ok: result.ok, failed: result.failed, deadLetters: result.deadLetters, missing: result.missing },
        { ok: 20, failed: 0, deadLetters: 0, missing: 0 },
      );
    } finally {
      for (const [name, value] of [
        ["POWERTOOLS_LOG_LEVEL", saved.log],
        ["POWERTOOLS_METRICS_DISABLED", saved.metrics],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
