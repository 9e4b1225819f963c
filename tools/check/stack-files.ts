// The project name and a stack's config, read from Pulumi.yaml and
// Pulumi.<stack>.yaml the way the CLI hands them to a policy pack
// (PULUMI_PROJECT, PULUMI_STACK, PULUMI_CONFIG as a flat `ns:key` map of strings).
// Read directly so the pack can start before the program is even loaded.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

export class StackFileError extends Error {}

export function readProject(repoRoot: string): string {
  const doc = parseYaml(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")) as { name?: unknown } | null;
  if (typeof doc?.name !== "string") throw new StackFileError("Pulumi.yaml has no project name");
  return doc.name;
}

export function readStackConfig(repoRoot: string, stack: string): Record<string, string> {
  const file = ["yaml", "yml"].map((ext) => join(repoRoot, `Pulumi.${stack}.${ext}`)).find((f) => existsSync(f));
  if (!file) throw new StackFileError(`unknown stack "${stack}": there is no Pulumi.${stack}.yaml next to Pulumi.yaml`);
  const doc = parseYaml(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    // Secrets stay encrypted: the pack gets no value it could leak.
    if (value !== null && typeof value === "object" && "secure" in value) continue;
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}
