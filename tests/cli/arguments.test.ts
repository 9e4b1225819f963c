import { strict as assert } from "node:assert";
import { InvalidArgumentError } from "commander";
import { wholeNumberAbove0, wholeNumberAbove0Option } from "../../cli/arguments";

describe("command-line flag parsing", () => {
  it("accepts whole numbers above 0", () => {
    assert.equal(wholeNumberAbove0("1", "--max"), 1);
    assert.equal(wholeNumberAbove0("40000000", "--max-pixels"), 40_000_000);
  });

  it("refuses zero, negatives, fractions, units and words, naming the flag and the value", () => {
    for (const bad of ["0", "-3", "1.5", "50MB", "lots", "", "1e3"]) {
      assert.throws(() => wholeNumberAbove0(bad, "--max"), new Error(`--max must be a whole number above 0, got "${bad}"`));
    }
  });

  it("gives commander an InvalidArgumentError so it names the option", () => {
    assert.equal(wholeNumberAbove0Option("7"), 7);
    assert.throws(() => wholeNumberAbove0Option("0"), InvalidArgumentError);
  });
});
