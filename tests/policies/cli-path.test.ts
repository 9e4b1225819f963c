// The real CLI path must see what `npm run check` sees: every `pulumi preview`
// and `pulumi up` of the workflows runs the pack with the config file
// `npm run policy-config` wrote for the same stack after the build, and a
// pinned CLI version, the one the SDK in both lockfiles belongs to.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { readPackConfig, stackPackConfig } from "../../toolchain/check/pack-config";
import { REPO_ROOT } from "../../toolchain/plan/plan-stack";

const run = promisify(execFile);

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}

function jobsOf(workflow: string): Record<string, { steps?: Step[] }> {
  return (parseYaml(readFileSync(join(REPO_ROOT, ".github", "workflows", workflow), "utf8")) as { jobs: Record<string, { steps?: Step[] }> }).jobs;
}

function lockedSdk(lockfile: string): string {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, lockfile), "utf8")) as { packages: Record<string, { version?: string }> };
  return lock.packages["node_modules/@pulumi/pulumi"]?.version ?? "(none)";
}

describe("the Pulumi CLI path gets the offline check's pack config", function () {
  this.timeout(120_000);

  it("every preview and up runs the pack with the config written for its stack after the build, on the pinned CLI", () => {
    let seen = 0;
    for (const workflow of ["preview.yml", "deploy.yml"]) {
      for (const [name, job] of Object.entries(jobsOf(workflow))) {
        const steps = job.steps ?? [];
        steps.forEach((step, i) => {
          if (!step.uses?.startsWith("pulumi/actions@") || !["preview", "up"].includes(step.with?.command ?? "")) return;
          seen++;
          const where = `${workflow} ${name}`;
          assert.equal(step.with?.policyPacks, "policies", where);
          assert.equal(step.with?.["pulumi-version-file"], ".pulumi.version", where);
          const configPath = step.with?.policyPackConfigs ?? "";
          const stack = step.with?.["stack-name"] ?? "";
          const before = steps.slice(0, i);
          const build = before.findIndex((s) => s.run === "npm run build");
          const writer = before.findIndex((s) => s.run?.startsWith(`npm run policy-config -- --stack ${stack} --out `) === true);
          assert.ok(build >= 0 && writer > build, `${where}: npm run policy-config for ${stack} runs after the build`);
          const out = (before[writer].run as string).split("--out ")[1].replace(/"/g, "");
          assert.equal(out.replace("$RUNNER_TEMP", "${{ runner.temp }}"), configPath, `${where}: the action reads the file policy-config wrote`);
        });
      }
    }
    assert.equal(seen, 3, "preview per stack, up per non-production stack, up of production");
  });

  it("pins the CLI to the version of the SDK both lockfiles hold", () => {
    const pinned = readFileSync(join(REPO_ROOT, ".pulumi.version"), "utf8").trim();
    assert.equal(pinned, lockedSdk("package-lock.json"));
    assert.equal(pinned, lockedSdk(join("policies", "package-lock.json")));
  });

  it("`npm run policy-config` writes the config `npm run check` uses for the stack", async () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-config-"));
    try {
      const file = join(dir, "dev.json");
      await run(process.execPath, ["--require", "tsx/cjs", "toolchain/check/pack-config.ts", "--stack", "dev", "--out", file], { cwd: REPO_ROOT });
      assert.deepEqual(readPackConfig(file), stackPackConfig("dev"));
      const builds = (stackPackConfig("dev")["working-build"]?.properties.builds ?? []) as { artifacts: Record<string, unknown> }[];
      assert.ok(builds.length === 1 && Object.keys(builds[0].artifacts).includes("thumbnails"), "the build manifest is in it");
      const bad = await run(process.execPath, ["--require", "tsx/cjs", "toolchain/check/pack-config.ts", "--stack", "nope"], { cwd: REPO_ROOT }).then(
        () => "exit 0",
        (e: { stderr: string }) => e.stderr,
      );
      assert.match(bad, /unknown stack "nope"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
