// Environment readers: values, defaults, and errors that say what to fix.
import { strict as assert } from "node:assert";
import { booleanFlag, EnvVarError, integer, json, oneOf, requiredString } from "../../contracts/env";

describe("environment readers", () => {
  it("name the variable, the value and the expected form", () => {
    assert.throws(
      () => integer({ MAX_INPUT_BYTES: "50MB" }, "MAX_INPUT_BYTES", 1, { min: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof EnvVarError);
        assert.equal(error.message, `Environment variable MAX_INPUT_BYTES is "50MB"; expected a whole number from 1 to ${Number.MAX_SAFE_INTEGER}.`);
        return true;
      },
    );
    assert.throws(() => requiredString({}, "THUMBNAILS_BUCKET", "the bucket name"), /THUMBNAILS_BUCKET is not set; expected the bucket name/);
    assert.throws(
      () => oneOf({ DB_TLS: "verify" }, "DB_TLS", ["disable", "require", "verify-full"], "disable"),
      /DB_TLS is "verify"; expected one of disable, require, verify-full/,
    );
    assert.throws(() => booleanFlag({ F: "maybe" }, "F", false), /F is "maybe"; expected true or false/);
  });

  it("fall back on unset or blank values and parse good ones", () => {
    assert.equal(integer({}, "N", 7), 7);
    assert.equal(integer({ N: "  " }, "N", 7), 7);
    assert.equal(integer({ N: "52_428_800" }, "N", 7), 52_428_800);
    assert.throws(() => integer({ N: "0" }, "N", 7, { min: 1 }), EnvVarError);
    assert.throws(() => integer({ N: "1.5" }, "N", 7), EnvVarError);
    assert.equal(booleanFlag({ F: "TRUE" }, "F", false), true);
    assert.equal(oneOf({}, "DB_TLS", ["disable", "require"], "require"), "require");
  });

  it("validate JSON shapes and say what is wrong", () => {
    const sizes = (value: unknown) =>
      Array.isArray(value) ? { ok: true as const, value: value as number[] } : { ok: false as const, problem: "not an array" };
    assert.deepEqual(json({ S: "[1,2]" }, "S", [], "a JSON array", sizes), [1, 2]);
    assert.throws(() => json({ S: "{" }, "S", [], "a JSON array", sizes), /S is "\{"; expected a JSON array \(not valid JSON/);
    assert.throws(() => json({ S: "{}" }, "S", [], "a JSON array", sizes), /expected a JSON array \(not an array\)/);
  });
});
