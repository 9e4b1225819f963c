// `npm run docs:contracts`: rewrites the generated sections of docs/contracts.md.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withContractSections } from "./docs";

const path = join(__dirname, "..", "docs", "contracts.md");
const before = readFileSync(path, "utf8");
const after = withContractSections(before);
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? "docs/contracts.md is current\n" : "docs/contracts.md rewritten\n");
