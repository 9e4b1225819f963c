// Which Lambda functions exist: every handlers/<name>/ with an index.ts, except
// the folders that hold shared code or migrations (docs/contracts.md).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { compareStrings } from "./files";

export const HANDLERS_DIRECTORY = "handlers";
export const NOT_FUNCTIONS = new Set(["shared", "migrations"]);
/** Lambda function names allow more, but these names become folders, tags and resource names. */
const FUNCTION_NAME = /^[a-z][a-z0-9-]*$/;

export function discoverFunctions(repoRoot: string): string[] {
  const root = join(repoRoot, HANDLERS_DIRECTORY);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_FUNCTIONS.has(d.name) && existsSync(join(root, d.name, "index.ts")))
    .map((d) => {
      if (!FUNCTION_NAME.test(d.name)) {
        throw new Error(`handlers/${d.name}/ has an index.ts but "${d.name}" is not a valid function name (lowercase letters, digits, dashes).`);
      }
      return d.name;
    })
    .sort(compareStrings);
}
