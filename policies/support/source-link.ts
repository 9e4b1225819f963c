// Where a file of the repository the pack is checked out from is on the web,
// at the commit checked out: the rule the README gives once ("Links to
// runbooks and policy docs") for the pack's docs links and the program's
// runbook links. It lives in the pack, which must stay self-contained
// (node builtins only here), and infra/config.ts imports it.
//  1. In GitHub Actions, when the folder is inside the workspace the run
//     checked out: `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/<path>`.
//  2. Else `git remote get-url origin`, when it is a GitHub or GitLab https
//     or ssh URL, at `git rev-parse HEAD`: `https://<host>/<repo>/blob/<sha>/<path>`
//     (`/-/blob/` on GitLab).
//  3. Else none is known (an origin that is a local path, another host, no git).
import { execFileSync } from "node:child_process";
import { relative, isAbsolute } from "node:path";

export interface SourceFacts {
  env: Record<string, string | undefined>;
  /** The folder whose repository is meant (the pack's, the program's). */
  dir: string;
  /** `git remote get-url origin` there, when git answers. */
  origin?: string;
  /** `git rev-parse HEAD` there, when git answers. */
  commit?: string;
}

/** `host` and `owner/.../repo` of a GitHub- or GitLab-style https or ssh remote URL. */
function hostedRepository(origin: string): { host: string; repository: string } | undefined {
  const m =
    /^(?:https?|ssh):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(origin) ??
    // scp-like `git@host:owner/repo.git` (a path after the colon, not a Windows drive)
    /^(?:[\w.-]+@)?([a-z0-9][a-z0-9.-]*\.[a-z]{2,}):(?!\/)(.+?)(?:\.git)?\/?$/i.exec(origin);
  if (!m || m[2].split("/").length < 2 || !/git(hub|lab)/i.test(m[1])) return undefined;
  return { host: m[1].toLowerCase(), repository: m[2] };
}

function inside(dir: string, folder: string): boolean {
  const rel = relative(folder, dir);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The web address of `path` (relative to the repository root) at the commit, or undefined when none is known. */
export function sourceWebUrl(path: string, facts: SourceFacts): string | undefined {
  const { env } = facts;
  if (env.GITHUB_REPOSITORY && env.GITHUB_SHA && (!env.GITHUB_WORKSPACE || inside(facts.dir, env.GITHUB_WORKSPACE))) {
    return `${(env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "")}/${env.GITHUB_REPOSITORY}/blob/${env.GITHUB_SHA}/${path}`;
  }
  const hosted = facts.origin ? hostedRepository(facts.origin) : undefined;
  if (!hosted || !facts.commit) return undefined;
  return `https://${hosted.host}/${hosted.repository}/${/gitlab/i.test(hosted.host) ? "-/blob" : "blob"}/${facts.commit}/${path}`;
}

function gitAnswer(dir: string, ...args: string[]): string | undefined {
  try {
    const out = execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
    return out === "" ? undefined : out;
  } catch {
    // Not a repository, no origin, or no git: nothing is known from git.
    return undefined;
  }
}

/** What the environment and git say about the repository of `dir`. */
export function readSourceFacts(dir: string, env: Record<string, string | undefined> = process.env): SourceFacts {
  const origin = gitAnswer(dir, "remote", "get-url", "origin");
  const commit = gitAnswer(dir, "rev-parse", "--verify", "HEAD");
  return { env, dir, ...(origin ? { origin } : {}), ...(commit ? { commit } : {}) };
}
