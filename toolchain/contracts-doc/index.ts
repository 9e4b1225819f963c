// `npm run docs:contracts [-- --check]`: rewrites the generated sections of
// docs/contracts.md from contracts/, or with --check only says whether they
// are current (exit 1 when stale, for CI).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../cli/repo-root";
import { cliProgram, EXIT_FAILED, exitWith, runCli } from "../../cli/exit-codes";
import { withContractSections } from "./render";

const DOC = join(REPO_ROOT, "docs", "contracts.md");

const program = cliProgram("npm run docs:contracts --", "Render the generated sections of docs/contracts.md from contracts/")
  .option("--check", "change nothing; exit 1 when the file is stale")
  .action((values: { check?: boolean }) => {
    const before = readFileSync(DOC, "utf8");
    const after = withContractSections(before);
    if (after === before) {
      process.stdout.write("docs/contracts.md is current\n");
    } else if (values.check) {
      process.stdout.write("docs/contracts.md is stale: run `npm run docs:contracts`\n");
      process.exitCode = EXIT_FAILED;
    } else {
      writeFileSync(DOC, after);
      process.stdout.write("docs/contracts.md rewritten\n");
    }
  });
void runCli(program).then(exitWith);
