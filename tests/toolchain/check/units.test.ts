// The pure parts of the check: wire encoding as the engine marshals
// properties, the pack config format, and waiver classification.
import { strict as assert } from "node:assert";
import { readWaivers, waiverCovers } from "../../../policies/waivers";
import { EncodeError, encodeProperties, providerUrn, SIGNATURE_KEY, SIGNATURES, UNKNOWN_SENTINEL } from "../../../toolchain/check/encode";
import { PackConfigError, parsePackConfig } from "../../../toolchain/check/pack-config";
import { parsePlan, PlanInputError } from "../../../toolchain/check/plan-input";

describe("check: encoding, config and waivers", () => {
  it("encodes props as the engine does: internal keys and undefined dropped, unknowns and signatures kept", () => {
    const archive = { "4dabf18193072939515e22adb298388d": "0def7320c3a5731c473e5ecbe6d01bc7", __pulumiArchive: true, path: "dist/canary" };
    const struct = encodeProperties({ __defaults: ["x"], name: "a", gone: undefined, role: UNKNOWN_SENTINEL, code: archive, list: [1, undefined, null] });
    assert.deepEqual(struct.toJavaScript(), {
      name: "a",
      role: UNKNOWN_SENTINEL,
      code: { "4dabf18193072939515e22adb298388d": "0def7320c3a5731c473e5ecbe6d01bc7", path: "dist/canary" },
      list: [1, null, null],
    });
  });

  it("turns resource references and output values into what the engine sends without KeepResources", () => {
    const ref = (extra: Record<string, unknown>) => ({
      [SIGNATURE_KEY]: SIGNATURES.resourceReference,
      urn: "urn:pulumi:dev::p::aws:iam/role:Role::r",
      packageVersion: "7.48.0",
      ...extra,
    });
    const struct = encodeProperties({
      known: ref({ id: "r-123" }),
      unknownId: ref({ id: UNKNOWN_SENTINEL }),
      component: ref({}),
      nested: [{ role: ref({ id: "" }) }],
      output: { [SIGNATURE_KEY]: SIGNATURES.outputValue, value: "v", secret: true, dependencies: [] },
      pending: { [SIGNATURE_KEY]: SIGNATURES.outputValue, dependencies: [] },
    });
    assert.deepEqual(struct.toJavaScript(), {
      known: "r-123",
      unknownId: UNKNOWN_SENTINEL,
      component: "urn:pulumi:dev::p::aws:iam/role:Role::r",
      nested: [{ role: UNKNOWN_SENTINEL }],
      output: { [SIGNATURE_KEY]: SIGNATURES.secret, value: "v" },
      pending: UNKNOWN_SENTINEL,
    });
    assert.throws(
      () => encodeProperties({ odd: { [SIGNATURE_KEY]: "feedface" } }, "urn:x"),
      (e: unknown) => e instanceof EncodeError && /urn:x\.odd: unrecognized signature "feedface"/.test(e.message),
    );
  });

  it("takes the URN out of a provider reference", () => {
    assert.equal(providerUrn("urn:pulumi:dev::proj::pulumi:providers:aws::aws-eu::provider-aws-eu"), "urn:pulumi:dev::proj::pulumi:providers:aws::aws-eu");
    assert.equal(providerUrn("urn:pulumi:dev::proj::pulumi:providers:aws::aws-eu"), "urn:pulumi:dev::proj::pulumi:providers:aws::aws-eu");
  });

  it("reads the --policy-pack-config format and names what is wrong", () => {
    assert.deepEqual(parsePackConfig({ "memory-cap": "advisory", "region-parity": { enforcementLevel: "mandatory", waivers: [] } }, "f"), {
      "memory-cap": { enforcementLevel: "advisory", properties: {} },
      "region-parity": { enforcementLevel: "mandatory", properties: { waivers: [] } },
    });
    assert.throws(
      () => parsePackConfig({ "memory-cap": "strict" }, "f.json"),
      (e: unknown) => e instanceof PackConfigError && /f\.json: memory-cap: "strict" is not an enforcement level/.test(e.message),
    );
    assert.throws(() => parsePackConfig([], "f.json"), PackConfigError);
  });

  it("rejects a plan file that is not a plan, saying where", () => {
    assert.throws(
      () => parsePlan({ stack: "dev", project: "p", resources: [{ urn: "u", type: "t", name: "n" }] }, "p.json"),
      (e: unknown) => e instanceof PlanInputError && /p\.json: resources\[0\] \(n\)\.props is not an object/.test(e.message),
    );
    assert.throws(() => parsePlan({ resources: [] }, "p.json"), /has no "stack" name/);
  });

  it("classifies waivers: active through their expiry day, expired after, invalid without reason, expiry or a real date", () => {
    const w = (extra: Record<string, unknown>) => ({ resource: "eu-*", reason: "r", expires: "2026-03-01", ...extra });
    const states = readWaivers(
      "p",
      { waivers: [w({}), w({ expires: "2026-02-28" }), w({ reason: " " }), w({ expires: "2026-02-30" }), w({ expires: undefined })] },
      "2026-03-01",
    );
    assert.deepEqual(
      states.map((s) => s.status),
      ["active", "expired", "invalid", "invalid", "invalid"],
    );
    assert.deepEqual(
      readWaivers("p", { waivers: "all" }, "2026-03-01").map((s) => s.status),
      ["invalid"],
    );
    assert.deepEqual(readWaivers("p", {}, "2026-03-01"), []);
  });

  it("matches waivers by exact URN, name glob, or URN glob", () => {
    const base = { policy: "p", reason: "r", expires: "2999-01-01" };
    const urn = "urn:pulumi:dev::proj::thumbnail-pipeline:index:RegionalPipeline$aws:s3/bucket:Bucket::eu-central-1-raw-bucket";
    assert.ok(waiverCovers({ ...base, resource: urn }, urn, "eu-central-1-raw-bucket"));
    assert.ok(waiverCovers({ ...base, resource: "eu-central-1-*" }, urn, "eu-central-1-raw-bucket"));
    assert.ok(waiverCovers({ ...base, resource: "urn:pulumi:dev::*::eu-central-1-raw-bucket" }, urn, "eu-central-1-raw-bucket"));
    assert.ok(!waiverCovers({ ...base, resource: "us-east-1-*" }, urn, "eu-central-1-raw-bucket"));
    assert.ok(!waiverCovers({ ...base, resource: "eu-central-1-raw" }, urn, "eu-central-1-raw-bucket"), "a name pattern covers the whole name");
  });
});
