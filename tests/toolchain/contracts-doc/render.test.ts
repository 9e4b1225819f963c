// docs/contracts.md restates the contracts module: its generated sections must
// be what the module renders today, and its hand-written table of functions
// must list exactly the functions the module names.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { contractSections, withContractSections } from "../../../toolchain/contracts-doc/render";
import { FUNCTION_NAMES } from "../../../contracts";

const DOC = join(__dirname, "..", "..", "..", "docs", "contracts.md");

describe("docs/contracts.md", () => {
  const doc = readFileSync(DOC, "utf8");

  it("holds the sections rendered from contracts/ as they are today (else: npm run docs:contracts)", () => {
    assert.equal(doc, withContractSections(doc), "docs/contracts.md is stale: run `npm run docs:contracts`");
    for (const [name, body] of Object.entries(contractSections())) assert.ok(doc.includes(body), `section ${name} is missing`);
  });

  it("lists exactly the module's functions in its table of functions", () => {
    const section = doc.slice(doc.indexOf("## Functions"), doc.indexOf("## Environment variables"));
    const listed = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(listed, [...FUNCTION_NAMES]);
  });

  it("refuses a document whose markers are missing, naming the section", () => {
    assert.throws(() => withContractSections("# nothing here\n"), /no section "environment"/);
  });
});
