// Where each policy's documentation lives: its section of docs/policies.md in
// the repository the pack comes from, `<base>#<policy name>`. The base, first
// found:
//  1. SNOWFLAKE_GUARD_DOCS_URL in the environment (the Pulumi CLI and
//     `npm run check` both start the pack with their environment);
//  2. `homepage` in the pack's package.json (set it when publishing the pack);
//  3. the web address of docs/policies.md in the pack's repository at the
//     commit checked out (source-link.ts: GitHub Actions, else a GitHub or
//     GitLab origin), the same rule as the program's runbook links;
//  4. otherwise `docs/policies.md`, the file's path in the repository: a
//     finding is read where the check ran, beside the checkout.
// The base is read once, when the pack starts: the CLI asks for every policy's
// URL before it sends any config.
import { join } from "node:path";
import packageJson from "../package.json";
import { readSourceFacts, sourceWebUrl, type SourceFacts } from "./source-link";

export const DOCS_PATH = "docs/policies.md";

/** The pack's own folder: its repository is the one the docs belong to, whatever program it checks. */
const PACK_DIR = join(__dirname, "..");

interface PackageMeta {
  homepage?: unknown;
}

export function docsBase(env: NodeJS.ProcessEnv = process.env, pkg: PackageMeta = packageJson as PackageMeta, source?: SourceFacts): string {
  const explicit = env.SNOWFLAKE_GUARD_DOCS_URL?.trim();
  if (explicit) return explicit.replace(/#.*$/, "");
  if (typeof pkg.homepage === "string" && pkg.homepage.trim() !== "") return pkg.homepage.trim().replace(/#.*$/, "");
  return sourceWebUrl(DOCS_PATH, source ?? readSourceFacts(PACK_DIR, env)) ?? DOCS_PATH;
}

const BASE = docsBase();

/** Anchor of a policy's section: the heading is the policy name, so GitHub's slug is the name itself. */
export function docsUrl(policyName: string): string {
  return `${BASE}#${policyName}`;
}
