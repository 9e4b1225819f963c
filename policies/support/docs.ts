// Where each policy's documentation lives: its section of docs/policies.md in
// the repository the pack is published from, `<base>#<policy name>`. The base,
// first found:
//  1. SNOWFLAKE_GUARD_DOCS_URL in the environment (the Pulumi CLI and
//     `npm run check` both start the pack with their environment);
//  2. `homepage` in the pack's package.json (set it when publishing the pack);
//  3. in GitHub Actions, the workflow's repository at the commit being checked:
//     `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/docs/policies.md`;
//  4. otherwise `docs/policies.md`, the file's path in this repository.
// The base is read once, when the pack starts: the CLI asks for every policy's
// URL before it sends any config.
import packageJson from "../package.json";

export const DOCS_PATH = "docs/policies.md";

interface PackageMeta {
  homepage?: unknown;
}

export function docsBase(env: NodeJS.ProcessEnv = process.env, pkg: PackageMeta = packageJson as PackageMeta): string {
  const explicit = env.SNOWFLAKE_GUARD_DOCS_URL?.trim();
  if (explicit) return explicit.replace(/#.*$/, "");
  if (typeof pkg.homepage === "string" && pkg.homepage.trim() !== "") return pkg.homepage.trim().replace(/#.*$/, "");
  if (env.GITHUB_REPOSITORY && env.GITHUB_SHA) {
    return `${(env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, "")}/${env.GITHUB_REPOSITORY}/blob/${env.GITHUB_SHA}/${DOCS_PATH}`;
  }
  return DOCS_PATH;
}

const BASE = docsBase();

/** Anchor of a policy's section: the heading is the policy name, so GitHub's slug is the name itself. */
export function docsUrl(policyName: string): string {
  return `${BASE}#${policyName}`;
}
