// A function's code as the program deploys it: the zip the build wrote
// (dist/<fn>.zip, file modes recorded so the exec wrapper stays executable).
// The engine hashes a FileArchive pointing at a .zip as the sha256 of its
// bytes, which is the manifest's archiveHash the policy pack matches.
import * as pulumi from "@pulumi/pulumi";
import { posix } from "node:path";
import type { ManifestFunction } from "../handlers/build-manifest";

export function functionCode(distDir: string, bundle: Pick<ManifestFunction, "archive">): pulumi.asset.FileArchive {
  return new pulumi.asset.FileArchive(posix.join(distDir, bundle.archive));
}
