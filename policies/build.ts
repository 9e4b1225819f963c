// working-build: every deployed code artifact can be traced to a build and
// redeployed from it. The story's timed build had failed for months and
// nobody could redeploy. Accepted provenance:
//  - a local archive whose content hash (the one the engine computes and sends
//    with it) is an artifact of a build manifest given to the pack as config;
//  - an S3 object pinned by version (s3Bucket, s3Key, s3ObjectVersion); across
//    regions the same by key and version, each region reading its own bucket;
//  - a container image pinned by digest (`...@sha256:<digest>`).
// The pack never reads the checkout's file system: the manifest arrives as
// config (toolchain/check/pack-config.ts builds it from dist/manifest.json).
import type { PolicyResource } from "@pulumi/policy";
import { engineHashOf } from "./support/archive-hash";
import { stackPolicy, type CheckContext, type PolicySpec } from "./support/define";
import { byFamily, oddOnesOut, regionalMembers } from "./support/matching";
import { has, isObject, json, list, str } from "./support/props";
import { T, describe, type StackIndex } from "./support/resources";
import { proxyTarget } from "./support/runtime";

export interface BuildArtifact {
  /** The engine's content hash of the artifact's archive (toolchain/build/archive-hash.ts). */
  archiveHash: string;
}

export interface BuildManifestConfig {
  /** Which build this is, for messages: a project name, a CI run. */
  name: string;
  sourceHash?: string;
  commit?: string;
  artifacts: Record<string, BuildArtifact>;
}

export interface WorkingBuildConfig {
  builds?: BuildManifestConfig[];
}

const HEX64 = "^[0-9a-f]{64}$";

export const workingBuildSpec: PolicySpec = {
  name: "working-build",
  description:
    "Every deployed code artifact (Lambda functions and layers, container images of ECS tasks) is an archive whose content hash is in a build manifest given to the pack, an S3 object pinned by version, or an image pinned by digest; the same part of the program runs the same artifact in every region.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Build the code with a build that writes a manifest of its artifacts' archive hashes (here: `npm run build`, then `npm run policy-config` passes dist/manifest.json to the pack), deploy the built folder or zip as a FileArchive, or deploy from S3 with s3ObjectVersion, or an image by digest (`repo@sha256:...`).",
  config: {
    builds: {
      type: "array",
      description: "Build manifests: { name, sourceHash?, commit?, artifacts: { <artifact>: { archiveHash } } }.",
      items: {
        type: "object",
        required: ["name", "artifacts"],
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1 },
          sourceHash: { type: "string" },
          commit: { type: "string" },
          artifacts: {
            type: "object",
            additionalProperties: {
              type: "object",
              required: ["archiveHash"],
              additionalProperties: false,
              properties: { archiveHash: { type: "string", pattern: HEX64, description: "a sha256 hex digest" } },
            },
          },
        },
      },
    },
  },
};

const DIGEST_RE = /@sha256:[0-9a-f]{64}$/;
/** The module name Pulumi gives a serialized closure (aws.lambda.CallbackFunction's `__index.js`). */
const SERIALIZED_CLOSURE_MODULE = "__index";

const CLOSURE_MESSAGE =
  "is code the program serialized from its own memory at deployment (a closure, as aws.lambda.CallbackFunction or pulumi.runtime.serializeFunction make): " +
  "nothing built it, so no artifact exists to rebuild, compare or roll back to, and the same source can deploy different code. " +
  "Build the handler (esbuild or tsc into a folder), deploy that folder as a FileArchive and give the pack the build's manifest, or deploy from S3 with s3ObjectVersion, or an image by digest";

/** What identifies the artifact a resource deploys, compared across regions; or undefined when it has none we accept. */
type Provenance = { kind: "archive"; hash: string } | { kind: "s3"; bucket: string; key: string; version: string } | { kind: "image"; uri: string };

/**
 * Do two regions run the same artifact? An S3 object is the same by key and
 * version: Lambda reads code only from a bucket in the function's own region,
 * so each region has its own bucket, and replication keeps key and version id.
 */
function sameArtifact(a: Provenance, b: Provenance): boolean {
  if (a.kind === "s3" && b.kind === "s3") return a.key === b.key && a.version === b.version;
  return JSON.stringify(a) === JSON.stringify(b);
}

function showArtifact(p: Provenance): string {
  if (p.kind === "archive") return `archive ${p.hash.slice(0, 12)}`;
  return p.kind === "s3" ? `s3://${p.bucket}/${p.key}@${p.version}` : p.uri;
}

interface ArchiveLike {
  path?: Promise<string>;
  assets?: Promise<Record<string, unknown>>;
  uri?: Promise<string>;
}

/**
 * Is the code a closure Pulumi serialized? Pulumi writes one as `__index.js`
 * in an asset archive with handler `__index.<export>`; the engine drops
 * members whose names start with `__` before a pack sees them, so that name is
 * known from the handler. An entry module given as text counts too: either
 * way the code came from the program's memory, not from a build.
 */
async function isSerializedClosure(archive: ArchiveLike, handler: string | undefined): Promise<boolean> {
  if (!archive.assets) return false;
  const module = handler?.includes(".") ? handler.slice(0, handler.lastIndexOf(".")) : undefined;
  if (module === SERIALIZED_CLOSURE_MODULE) return true;
  const assets = await archive.assets;
  const entry = module !== undefined ? `${module}.js` : undefined;
  return entry !== undefined && isObject(assets[entry]) && "text" in (assets[entry] as object);
}

function artifactsWithHash(builds: BuildManifestConfig[], hash: string): string[] {
  return builds.flatMap((b) => Object.entries(b.artifacts).flatMap(([name, a]) => (a.archiveHash === hash ? [`${b.name}/${name}`] : [])));
}

/** A hint when the archive's folder or file (without .zip, .tar, .tgz, .tar.gz) has the name of a manifest artifact: its hash differs, so it is not what was built. */
function staleHint(builds: BuildManifestConfig[], path: string | undefined): string {
  const base = path
    ?.split(/[\\/]/)
    .filter(Boolean)
    .pop()
    ?.replace(/\.(zip|tar|tgz|tar\.gz)$/, "");
  const same = base ? builds.flatMap((b) => (b.artifacts[base] ? [`${b.name}/${base} is ${b.artifacts[base].archiveHash.slice(0, 12)}`] : [])) : [];
  return same.length > 0 ? ` (${same.join(", ")}: the archive on disk is not what that build produced; rebuild, then regenerate the pack config)` : "";
}

async function archiveProvenance(
  ctx: CheckContext,
  r: PolicyResource,
  code: unknown,
  handler: string | undefined,
  builds: BuildManifestConfig[],
  region: string,
): Promise<Provenance | undefined> {
  const archive = proxyTarget(code as object) as ArchiveLike;
  const path = archive.path ? await archive.path : undefined;
  const shown = path ?? (archive.uri ? await archive.uri : "an asset archive");
  if (await isSerializedClosure(archive, handler)) {
    ctx.report(r, `${region}: ${describe(r)} ${CLOSURE_MESSAGE}.`);
    return undefined;
  }
  const hash = engineHashOf(code);
  if (hash === undefined) {
    ctx.report(
      r,
      `${region}: ${describe(r)} deploys ${shown}, which came without the content hash the engine computes for archives, so its build cannot be verified`,
    );
    return undefined;
  }
  if (builds.length === 0) {
    ctx.report(
      r,
      `${region}: ${describe(r)} deploys ${shown} (content hash ${hash.slice(0, 12)}), but no build manifest was given to the pack (working-build.builds), so nothing says a build produced it`,
    );
    return undefined;
  }
  const matches = artifactsWithHash(builds, hash);
  if (matches.length === 0) {
    ctx.report(
      r,
      `${region}: ${describe(r)} deploys ${shown} with content hash ${hash.slice(0, 12)}, which is no artifact of the build manifest given to the pack${staleHint(builds, path)}`,
    );
    return undefined;
  }
  return { kind: "archive", hash };
}

async function provenanceOf(ctx: CheckContext, r: PolicyResource, builds: BuildManifestConfig[], region: string): Promise<Provenance | undefined> {
  const facts = ctx.inspect(r, () => ({
    image: str(r.props.imageUri),
    hasImage: has(r.props, "imageUri"),
    packageType: str(r.props.packageType),
    s3: has(r.props, "s3Bucket") || has(r.props, "s3Key"),
    s3Version: has(r.props, "s3ObjectVersion"),
    hasCode: has(r.props, "code"),
    handler: str(r.props.handler),
  }));
  if (!facts) return undefined;
  if (facts.hasImage || facts.packageType === "Image") {
    if (facts.image !== undefined && DIGEST_RE.test(facts.image)) return { kind: "image", uri: facts.image };
    ctx.report(
      r,
      `${region}: ${describe(r)} deploys image ${facts.image ?? "(none)"}, which is not pinned by digest: a tag can point at other code tomorrow; deploy \`<repository>@sha256:<digest>\``,
    );
    return undefined;
  }
  if (facts.s3) {
    if (facts.s3Version) {
      const object = ctx.inspect(r, () => ({ bucket: String(r.props.s3Bucket), key: String(r.props.s3Key), version: String(r.props.s3ObjectVersion) }));
      return object === undefined ? undefined : { kind: "s3", ...object };
    }
    ctx.report(
      r,
      `${region}: ${describe(r)} deploys s3://${ctx.inspect(r, () => `${String(r.props.s3Bucket)}/${String(r.props.s3Key)}`) ?? "?"} without s3ObjectVersion, so what runs is whatever that key holds at deployment; pin the version`,
    );
    return undefined;
  }
  if (!facts.hasCode) {
    ctx.report(r, `${region}: ${describe(r)} has no code: no archive, no S3 object and no image`);
    return undefined;
  }
  const code = ctx.inspect(r, () => r.props.code as unknown);
  if (code === undefined) return undefined;
  return archiveProvenance(ctx, r, code, facts.handler, builds, region);
}

interface Container {
  name?: unknown;
  image?: unknown;
}

function checkTaskImages(stack: StackIndex, ctx: CheckContext): void {
  for (const task of stack.ofType(T.ecsTaskDefinition)) {
    const containers = ctx.inspect(task, () => list(json(task.props.containerDefinitions)) as Container[]);
    for (const c of containers ?? []) {
      const image = typeof c.image === "string" ? c.image : "(none)";
      if (!DIGEST_RE.test(image)) {
        ctx.report(
          task,
          `${stack.regionLabel(task)}: container ${String(c.name ?? "(unnamed)")} of ${describe(task)} runs image ${image}, which is not pinned by digest; deploy \`<repository>@sha256:<digest>\` from your build`,
        );
      }
    }
  }
}

export const workingBuild = stackPolicy<WorkingBuildConfig>(workingBuildSpec, async (stack, ctx, config) => {
  const builds = config.builds ?? [];
  const deployed = new Map<string, Provenance>();
  for (const r of stack.ofType(T.lambda, T.layerVersion)) {
    const p = await provenanceOf(ctx, r, builds, stack.regionLabel(r));
    if (p) deployed.set(r.urn, p);
  }
  checkTaskImages(stack, ctx);

  // The same function in every region runs the same artifact: a region on other code is a snowflake even if each is traceable.
  const code = regionalMembers(stack).filter((m) => deployed.has(m.resource.urn));
  for (const keys of byFamily(code).values()) {
    for (const regions of keys.values()) {
      if (regions.size < 2 || [...regions.values()].some((ms) => ms.length !== 1)) continue;
      const values = new Map([...regions.entries()].map(([region, ms]) => [region, deployed.get(ms[0].resource.urn) as Provenance]));
      const { majority, groups } = oddOnesOut(values, sameArtifact);
      if (groups.length < 2) continue;
      // Each region's own artifact (an S3 object in its own bucket), not only its group's first.
      const show = (region: string) => showArtifact(values.get(region) as Provenance);
      const resourceIn = (region: string) => (regions.get(region) as { resource: PolicyResource }[])[0].resource;
      const elsewhere = (g: (typeof groups)[number]) =>
        groups
          .filter((o) => o !== g)
          .map((o) => o.regions.map((r) => `${show(r)} in ${r}`).join(", "))
          .join("; ");
      if (majority) {
        for (const g of groups.filter((x) => x.regions !== majority)) {
          for (const region of g.regions)
            ctx.report(resourceIn(region), `${region}: ${describe(resourceIn(region))} runs ${show(region)} here but ${elsewhere(g)}`);
        }
        continue;
      }
      // A tie: no region is the majority, so one finding names every region and resource, and a waiver of any covers it.
      const all = groups.flatMap((g) => g.regions);
      const first = resourceIn(all[0]);
      ctx.report(
        first,
        `${all.join(" / ")}: ${groups.map((g) => g.regions.map((r) => `${describe(resourceIn(r))} runs ${show(r)} in ${r}`).join(", ")).join("; ")}; the regions are tied, so neither is the odd one`,
        all.slice(1).map(resourceIn),
      );
    }
  }
});
