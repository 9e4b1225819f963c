// The flag parsers every command line shares, and that commander turns their
// refusal into its own message naming the option (and the exit code 2).
import { strict as assert } from "node:assert";
import { Command, InvalidArgumentError, Option } from "commander";
import { isoInstant, parsedBy, secondsAbove0, secondsAtLeast0, wholeNumberAbove0 } from "../../cli/arguments";
import { cliProgram, EXIT_OK, EXIT_USAGE, runCli, UsageError } from "../../cli/exit-codes";

describe("command-line flag parsing", () => {
  it("accepts whole numbers above 0", () => {
    assert.equal(wholeNumberAbove0("1"), 1);
    assert.equal(wholeNumberAbove0("40000000"), 40_000_000);
  });

  it("refuses zero, negatives, fractions, units and words", () => {
    for (const bad of ["0", "-3", "1.5", "50MB", "lots", "", "1e3"]) {
      assert.throws(() => wholeNumberAbove0(bad), new InvalidArgumentError("expected a whole number above 0."), bad);
    }
  });

  it("reads seconds and instants", () => {
    assert.equal(secondsAtLeast0("0"), 0);
    assert.equal(secondsAtLeast0("2.5"), 2.5);
    assert.throws(() => secondsAtLeast0("-1"), InvalidArgumentError);
    assert.throws(() => secondsAtLeast0(""), InvalidArgumentError);
    assert.throws(() => secondsAbove0("0"), InvalidArgumentError);
    assert.equal(isoInstant("2026-01-31T12:00:00Z"), "2026-01-31T12:00:00Z");
    assert.throws(() => isoInstant("yesterday"), InvalidArgumentError);
  });

  it("turns a reader's refusal into commander's, keeping what it expected", () => {
    const err = Object.assign(new Error("Environment variable X is 2"), { expected: "a fraction above 0 and at most 1" });
    const parse = parsedBy(() => {
      throw err;
    });
    assert.throws(() => parse("2"), new InvalidArgumentError("expected a fraction above 0 and at most 1."));
  });
});

describe("the exit-code convention", () => {
  const quiet = <T>(body: () => Promise<T>): Promise<{ result: T; stderr: string }> => {
    const write = process.stderr.write.bind(process.stderr);
    let stderr = "";
    process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
    return body().then(
      (result) => ((process.stderr.write = write), { result, stderr }),
      (e: unknown) => {
        process.stderr.write = write;
        throw e;
      },
    );
  };
  const program = (action: () => void): Command => {
    const p = cliProgram("tool", "a test tool", "1.2.3");
    p.configureOutput({ writeOut: () => undefined, writeErr: (t) => process.stderr.write(t) });
    p.command("go").addOption(new Option("--n <n>").argParser(wholeNumberAbove0)).action(action);
    return p;
  };
  const saved = process.exitCode;
  afterEach(() => {
    process.exitCode = saved;
  });

  it("exits 2 naming the option for a value its parser refuses", async () => {
    const { result, stderr } = await quiet(() =>
      runCli(
        program(() => undefined),
        ["node", "tool", "go", "--n", "0"],
      ),
    );
    assert.equal(result, EXIT_USAGE);
    assert.match(stderr, /option '--n <n>' argument '0' is invalid\. expected a whole number above 0\./);
  });

  it("exits 2 for an unknown option and for an error the command stops on, 0 for --help and --version", async () => {
    assert.equal(
      (
        await quiet(() =>
          runCli(
            program(() => undefined),
            ["node", "tool", "go", "--nope"],
          ),
        )
      ).result,
      EXIT_USAGE,
    );
    const stopped = await quiet(() =>
      runCli(
        program(() => {
          throw new UsageError("pass --n");
        }),
        ["node", "tool", "go"],
      ),
    );
    assert.deepEqual([stopped.result, stopped.stderr], [EXIT_USAGE, "tool: pass --n\n"]);
    assert.equal(
      (
        await quiet(() =>
          runCli(
            program(() => undefined),
            ["node", "tool", "--help"],
          ),
        )
      ).result,
      EXIT_OK,
    );
    assert.equal(
      (
        await quiet(() =>
          runCli(
            program(() => undefined),
            ["node", "tool", "--version"],
          ),
        )
      ).result,
      EXIT_OK,
    );
  });

  it("passes on the exit code the action chose", async () => {
    const { result } = await quiet(() =>
      runCli(
        program(() => void (process.exitCode = 1)),
        ["node", "tool", "go"],
      ),
    );
    assert.equal(result, 1);
  });
});
