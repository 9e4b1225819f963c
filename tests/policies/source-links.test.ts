// Where links to this repository's files point: the program's runbook links
// (infra/config.ts) and the pack's docs links (policies/support/docs.ts)
// follow one rule (README, "Links to runbooks and policy docs"), written once
// in policies/support/source-link.ts. These tests hold the rule to its
// answers, each side to its use of it, its explicit settings and its last
// fallback.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as program from "../../infra/config";
import { docsBase } from "../../policies/support/docs";
import * as rule from "../../policies/support/source-link";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const CHECKOUT = join(tmpdir(), "checkout");
const minimal = { regions: [{ name: "us-east-1" }], alerts: { emails: ["oncall@example.com"] } };

interface Case {
  what: string;
  env?: Record<string, string>;
  origin?: string;
  commit?: string;
  dir?: string;
  /** The web folder of the repository at the commit, or undefined when none is known. */
  expected: string | undefined;
}

const GHA = { GITHUB_ACTIONS: "true", GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/thumbs", GITHUB_SHA: SHA, GITHUB_WORKSPACE: CHECKOUT };

const CASES: Case[] = [
  {
    what: "GitHub Actions: the run's repository at the run's commit",
    env: GHA,
    origin: "/srv/mirror/thumbs.git",
    commit: "f".repeat(40),
    expected: `https://github.com/acme/thumbs/blob/${SHA}`,
  },
  {
    what: "GitHub Actions on GitHub Enterprise",
    env: { ...GHA, GITHUB_SERVER_URL: "https://git.acme.example/" },
    expected: `https://git.acme.example/acme/thumbs/blob/${SHA}`,
  },
  {
    what: "GitHub Actions checking out another repository than the one it runs in",
    env: GHA,
    dir: join(tmpdir(), "elsewhere"),
    origin: "git@github.com:acme/pack.git",
    commit: SHA,
    expected: `https://github.com/acme/pack/blob/${SHA}`,
  },
  { what: "an https GitHub origin", origin: "https://github.com/acme/thumbs.git", commit: SHA, expected: `https://github.com/acme/thumbs/blob/${SHA}` },
  {
    what: "an https origin with credentials and no .git",
    origin: "https://ci-bot@github.com/acme/thumbs",
    commit: SHA,
    expected: `https://github.com/acme/thumbs/blob/${SHA}`,
  },
  { what: "an scp-style ssh origin", origin: "git@github.com:acme/thumbs.git", commit: SHA, expected: `https://github.com/acme/thumbs/blob/${SHA}` },
  {
    what: "an ssh:// origin with a port",
    origin: "ssh://git@github.acme.example:2222/acme/thumbs.git",
    commit: SHA,
    expected: `https://github.acme.example/acme/thumbs/blob/${SHA}`,
  },
  {
    what: "a GitLab origin, with subgroups",
    origin: "git@gitlab.com:acme/platform/thumbs.git",
    commit: SHA,
    expected: `https://gitlab.com/acme/platform/thumbs/-/blob/${SHA}`,
  },
  {
    what: "a self-hosted GitLab over https",
    origin: "https://gitlab.acme.example/acme/thumbs.git",
    commit: SHA,
    expected: `https://gitlab.acme.example/acme/thumbs/-/blob/${SHA}`,
  },
  { what: "an origin that is a local path (a clone of a clone)", origin: "/srv/git/thumbs", commit: SHA, expected: undefined },
  { what: "a file:// origin", origin: "file:///srv/git/thumbs.git", commit: SHA, expected: undefined },
  { what: "a host whose link form is not GitHub's or GitLab's", origin: "git@bitbucket.org:acme/thumbs.git", commit: SHA, expected: undefined },
  { what: "an origin without a commit to pin", origin: "https://github.com/acme/thumbs.git", expected: undefined },
  { what: "no git at all", expected: undefined },
];

function facts(c: Case): rule.SourceFacts {
  return { env: c.env ?? {}, dir: c.dir ?? join(CHECKOUT, "infra"), ...(c.origin ? { origin: c.origin } : {}), ...(c.commit ? { commit: c.commit } : {}) };
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
  }).trim();
}

describe("links to runbooks and policy docs: one rule, in the program and the pack", () => {
  for (const c of CASES) {
    it(`${c.what}: ${c.expected ?? "no web address"}, for the runbooks and the policy docs`, () => {
      assert.equal(rule.sourceWebUrl("docs/policies.md", facts(c)), c.expected === undefined ? undefined : `${c.expected}/docs/policies.md`);
      assert.equal(docsBase({}, {}, facts(c)), c.expected === undefined ? "docs/policies.md" : `${c.expected}/docs/policies.md`, "the pack's docs links");
      const deploying = () => program.parseConfig("dev", minimal, {}, { ...facts(c), deploying: true }).runbookBaseUrl;
      if (c.expected === undefined) assert.throws(deploying, /thumbnail-pipeline:runbookBaseUrl/, "the program's runbook links");
      else assert.equal(deploying(), `${c.expected}/docs/runbooks`, "the program's runbook links");
    });
  }

  it("reads the facts from a checkout: its origin and the commit checked out", () => {
    const dir = mkdtempSync(join(tmpdir(), "source-links-"));
    try {
      git(dir, "init", "-q");
      writeFileSync(join(dir, "README.md"), "x\n");
      git(dir, "add", "README.md");
      git(dir, "commit", "-q", "-m", "x");
      git(dir, "remote", "add", "origin", "git@github.com:acme/thumbs.git");
      const head = git(dir, "rev-parse", "HEAD");
      const read = rule.readSourceFacts(dir, {});
      assert.deepEqual(read, { env: {}, dir, origin: "git@github.com:acme/thumbs.git", commit: head });
      assert.equal(rule.sourceWebUrl("docs/policies.md", read), `https://github.com/acme/thumbs/blob/${head}/docs/policies.md`);
      const notARepository = mkdtempSync(join(tmpdir(), "source-links-none-"));
      assert.deepEqual(rule.readSourceFacts(notARepository, {}), { env: {}, dir: notARepository });
      rmSync(notARepository, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("the program's runbook links (thumbnail-pipeline:runbookBaseUrl)", () => {
    const origin = { env: {}, dir: CHECKOUT, origin: "git@github.com:acme/thumbs.git", commit: SHA };
    it("takes the stack's setting first", () => {
      const cfg = program.parseConfig("dev", { ...minimal, runbookBaseUrl: "https://wiki.acme.example/thumbs/runbooks/" }, {}, { ...origin, deploying: true });
      assert.equal(cfg.runbookBaseUrl, "https://wiki.acme.example/thumbs/runbooks");
    });
    it("else the repository's web address at the commit", () => {
      assert.equal(
        program.parseConfig("dev", minimal, {}, { ...origin, deploying: true }).runbookBaseUrl,
        `https://github.com/acme/thumbs/blob/${SHA}/docs/runbooks`,
      );
    });
    it("else, offline (no engine, nobody paged), the documented offline address", () => {
      assert.equal(program.parseConfig("dev", minimal, {}, { env: {}, dir: CHECKOUT, deploying: false }).runbookBaseUrl, program.OFFLINE_RUNBOOK_BASE);
      assert.equal(program.parseConfig("dev", minimal).runbookBaseUrl, program.OFFLINE_RUNBOOK_BASE);
      assert.match(program.OFFLINE_RUNBOOK_BASE, /^https:\/\/[a-z.-]+\.invalid\//, "a name that can never resolve, nor be registered by anyone");
    });
    it("and a real preview or update without one fails before any resource, naming the key and how to set it", () => {
      assert.throws(
        () => program.parseConfig("dev", minimal, {}, { env: {}, dir: CHECKOUT, origin: "/srv/git/thumbs", commit: SHA, deploying: true }),
        (e: unknown) =>
          e instanceof program.ConfigError &&
          e.problems.length === 1 &&
          /^thumbnail-pipeline:runbookBaseUrl: \(missing\) is not set and no web address of this repository is known .*pulumi config set thumbnail-pipeline:runbookBaseUrl https:\/\//.test(
            e.problems[0],
          ),
      );
    });
    it("refuses a setting that is not an https URL", () => {
      assert.throws(
        () => program.parseConfig("dev", { ...minimal, runbookBaseUrl: "docs/runbooks" }),
        /thumbnail-pipeline:runbookBaseUrl: "docs\/runbooks" is not an https URL/,
      );
    });
  });

  describe("the pack's docs links", () => {
    const none = { env: {}, dir: CHECKOUT };
    it("take SNOWFLAKE_GUARD_DOCS_URL, else the package's homepage, before the repository", () => {
      assert.equal(
        docsBase(
          { SNOWFLAKE_GUARD_DOCS_URL: "https://docs.internal/guard.html#x" },
          { homepage: "https://h" },
          { ...none, origin: "git@github.com:a/b.git", commit: SHA },
        ),
        "https://docs.internal/guard.html",
      );
      assert.equal(docsBase({}, { homepage: "https://github.com/o/r/blob/main/docs/policies.md" }, none), "https://github.com/o/r/blob/main/docs/policies.md");
    });
    it("else the repository's web address at the commit, as the program's runbook links", () => {
      assert.equal(docsBase(GHA, {}, { ...none, env: GHA }), `https://github.com/acme/thumbs/blob/${SHA}/docs/policies.md`);
      assert.equal(
        docsBase({}, {}, { ...none, origin: "https://gitlab.com/acme/thumbs.git", commit: SHA }),
        `https://gitlab.com/acme/thumbs/-/blob/${SHA}/docs/policies.md`,
      );
    });
    it("else the file's path in the repository: findings are read where the check runs, beside the checkout", () => {
      assert.equal(docsBase({}, {}, none), "docs/policies.md");
    });
  });
});
