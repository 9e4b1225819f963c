// A throwaway checkout for tests that need a manifest in a known state
// (missing, stale, or fresh for stub handlers) without touching the real dist/.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FUNCTION_NAMES } from "../../../infra/config";
import { computeSourceHash, MANIFEST_PATH, type BuildManifest } from "../../../handlers/build-manifest";
import { REPO_ROOT } from "../../../toolchain/plan/plan-stack";

export interface FixtureCheckout {
  root: string;
  /** Writes dist/manifest.json matching the current stub sources. */
  writeFreshManifest(): BuildManifest;
  /** Changes a handler source so the manifest no longer matches. */
  touchSources(): void;
  remove(): void;
}

export function fixtureCheckout(): FixtureCheckout {
  const root = mkdtempSync(join(tmpdir(), "plan-fixture-"));
  for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) copyFileSync(join(REPO_ROOT, f), join(root, f));
  for (const fn of FUNCTION_NAMES) {
    mkdirSync(join(root, "handlers", fn), { recursive: true });
    writeFileSync(join(root, "handlers", fn, "index.ts"), `export const handler = async (): Promise<string> => "${fn}";\n`);
  }
  return {
    root,
    writeFreshManifest() {
      const manifest: BuildManifest = {
        schemaVersion: 1,
        architecture: "arm64",
        runtime: "nodejs22.x",
        sourceHash: computeSourceHash(root),
        esbuildVersion: "fixture",
        sharpVersion: "fixture",
        functions: Object.fromEntries(
          FUNCTION_NAMES.map((fn) => [
            fn,
            {
              directory: fn,
              archive: `${fn}.zip`,
              handler: "index.handler",
              bundleHash: createHash("sha256").update(fn).digest("hex"),
              archiveHash: createHash("sha256").update(`archive ${fn}`).digest("hex"),
              files: [],
              nativePackages: [],
            },
          ]),
        ),
      };
      mkdirSync(join(root, "dist"), { recursive: true });
      writeFileSync(join(root, MANIFEST_PATH), JSON.stringify(manifest, null, 2));
      return manifest;
    },
    touchSources() {
      writeFileSync(join(root, "handlers", "thumbnails", "index.ts"), `export const handler = async (): Promise<string> => "changed";\n`);
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
