// Where each policy's documentation lives: its section of docs/policies.md.
// The repository URL is the one the program's runbook links use by default.
export const POLICY_DOCS_URL = "https://github.com/example-org/thumbnail-pipeline/blob/main/docs/policies.md";

/** Anchor of a policy's section: the heading is the policy name, so GitHub's slug is the name itself. */
export function docsUrl(policyName: string): string {
  return `${POLICY_DOCS_URL}#${policyName}`;
}
