// The whole program as a function, so `pulumi up` (infra/index.ts), the offline
// plan and the tests run exactly the same code. Order matters: config and the
// build manifest are validated before the first resource is registered.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import { join, relative, sep } from "node:path";
import { FUNCTION_NAMES, MAX_CONNECTIONS_FLOOR_KEY, TAGS } from "../contracts";
import { readFreshManifest, ManifestError, type BuildManifest } from "../handlers/build-manifest";
import { floorsFromParameters } from "./budget";
import { readPipelineConfig, shippingJurisdiction, type PipelineConfig } from "./config";
import { logDestinationArn } from "./arns";
import { CentralLogArchive } from "./log-archive";
import { dashboardUrl, maxConnectionsFloorParameter, memoryFloorPrefix, ssmRoot } from "./naming";
import { globalDashboardBody } from "./pipeline/dashboard";
import { RegionalPipeline, type RegionFloors } from "./regional-pipeline";

export interface ProgramOptions {
  /** Checkout holding dist/manifest.json and the sources it was built from. */
  repoRoot: string;
  stack: string;
}

export interface RegionOutputs {
  residency: string | null;
  logArchiveRegion: string;
  rawBucket: pulumi.Output<string>;
  thumbnailsBucket: pulumi.Output<string>;
  cdnDomain: pulumi.Output<string>;
  queueUrl: pulumi.Output<string>;
  dlqUrl: pulumi.Output<string>;
  dashboardUrl: string;
  memoryMb: Record<string, number>;
  maxConnections: number;
  thumbnailsMaxConcurrency: number;
}

export interface StackOutputs {
  regions: Record<string, RegionOutputs>;
  logArchives: Record<string, pulumi.Output<string>>;
  globalDashboardUrl: string;
}

/** Every function the program deploys must have a bundle in the manifest. */
export function requireBundles(manifest: BuildManifest): void {
  const missing = FUNCTION_NAMES.filter((fn) => !manifest.functions[fn]);
  if (missing.length > 0) {
    throw new ManifestError(`dist/manifest.json has no bundle for ${missing.join(", ")}: add handlers/<name>/index.ts and run \`npm run build\`.`);
  }
}

export function resolveCommit(repoRoot: string): string {
  const fromEnv = process.env.PIPELINE_COMMIT ?? process.env.GITHUB_SHA;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

async function readFloors(cfg: PipelineConfig, region: string, provider: aws.Provider): Promise<RegionFloors> {
  const result = await aws.ssm.getParametersByPath({ path: ssmRoot(cfg.stack, region), recursive: true, withDecryption: false }, { provider });
  const memoryPrefix = memoryFloorPrefix(cfg.stack, region);
  const connectionsName = maxConnectionsFloorParameter(cfg.stack, region);
  const memoryIdx = result.names.map((n, i) => [n, i] as const).filter(([n]) => n.startsWith(memoryPrefix));
  const memory = floorsFromParameters(
    memoryIdx.map(([n]) => n),
    memoryIdx.map(([, i]) => result.values[i]),
  );
  const connIdx = result.names.indexOf(connectionsName);
  const connections = connIdx >= 0 ? floorsFromParameters([connectionsName], [result.values[connIdx]]) : undefined;
  for (const bad of [...memory.ignored, ...(connections?.ignored ?? [])]) {
    void pulumi.log.warn(`${region}: ignoring SSM floor ${bad}: expected a positive integer`);
  }
  const maxConnections = connections?.floors.get(MAX_CONNECTIONS_FLOOR_KEY);
  return { memoryMb: memory.floors, ...(maxConnections !== undefined ? { maxConnections } : {}) };
}

export async function pipelineProgram(options: ProgramOptions): Promise<StackOutputs> {
  // Both throw before any resource exists: a bad key or a stale build stops the deployment here.
  const cfg = await readPipelineConfig(options.stack);
  const manifest = readFreshManifest(options.repoRoot);
  requireBundles(manifest);
  const commit = resolveCommit(options.repoRoot);
  // Relative to where the engine runs the program (the project root for `pulumi up` and the plan), so
  // state and plans name `dist/<fn>` on every machine, whatever the checkout's absolute path.
  const distDir = relative(process.cwd(), join(options.repoRoot, "dist")).split(sep).join("/") || "dist";

  // One explicit provider per region the stack touches (pipelines and archives).
  const providerRegions = [...new Set([...cfg.regions.map((r) => r.name), ...cfg.regions.map((r) => r.logArchiveRegion), cfg.centralLogRegion])];
  const providers = new Map<string, aws.Provider>();
  for (const region of providerRegions) {
    providers.set(region, new aws.Provider(`aws-${region}`, { region, defaultTags: { tags: { [TAGS.stack]: cfg.stack, [TAGS.managedBy]: "pulumi" } } }));
  }
  const provider = (region: string): aws.Provider => providers.get(region) as aws.Provider;

  // Data sources answer at preview, so ARNs built from them (infra/arns.ts) are known on a first preview.
  const [identity, partition] = await Promise.all([
    aws.getCallerIdentity({}, { provider: provider(cfg.centralLogRegion) }),
    aws.getPartition({}, { provider: provider(cfg.centralLogRegion) }),
  ]);
  const perRegion = await Promise.all(
    cfg.regions.map(async (r) => {
      const [zones, floors] = await Promise.all([
        aws.getAvailabilityZones({ state: "available" }, { provider: provider(r.name) }),
        readFloors(cfg, r.name, provider(r.name)),
      ]);
      if (zones.names.length < 2) throw new Error(`${r.name} reports ${zones.names.length} available zones; the pipeline needs 2 (RDS subnet group)`);
      return { zones: zones.names.slice(0, 2), floors };
    }),
  );

  // The archive of each jurisdiction, defined once in its archive region; none when the organisation's destinations take the logs.
  const archives = new Map<string, CentralLogArchive>();
  const existing = cfg.existingLogDestinations;
  for (const archiveRegion of existing ? [] : [...new Set(cfg.regions.map((r) => r.logArchiveRegion))]) {
    const sources = cfg.regions.filter((r) => r.logArchiveRegion === archiveRegion).map((r) => r.name);
    archives.set(
      archiveRegion,
      new CentralLogArchive(`log-archive-${archiveRegion}`, {
        cfg,
        archiveRegion,
        sourceRegions: sources,
        provider: provider(archiveRegion),
        accountId: identity.accountId,
        partition: partition.partition,
        manifest,
        commit,
        distDir,
      }),
    );
  }

  const regions: Record<string, RegionOutputs> = {};
  const pipelines = cfg.regions.map((r, i) => {
    const destination = existing?.[shippingJurisdiction(r)];
    const logShipping = destination
      ? {
          existingDestinationArn: logDestinationArn(
            { partition: partition.partition, region: r.name, accountId: destination.accountId },
            destination.destinationName,
          ),
        }
      : { archiveFirehoseArn: (archives.get(r.logArchiveRegion) as CentralLogArchive).firehoseArn };
    const p = new RegionalPipeline(r.name, {
      cfg,
      region: r,
      provider: provider(r.name),
      accountId: identity.accountId,
      partition: partition.partition,
      availabilityZones: perRegion[i].zones,
      manifest,
      commit,
      distDir,
      floors: perRegion[i].floors,
      logShipping,
    });
    regions[r.name] = {
      residency: r.residency ?? null,
      logArchiveRegion: r.logArchiveRegion,
      rawBucket: p.rawBucket,
      thumbnailsBucket: p.thumbnailsBucket,
      cdnDomain: p.cdnDomain,
      queueUrl: p.queueUrl,
      dlqUrl: p.dlqUrl,
      dashboardUrl: p.dashboardUrl,
      memoryMb: p.memoryMb,
      maxConnections: p.maxConnections,
      thumbnailsMaxConcurrency: p.thumbnailsMaxConcurrency,
    };
    return p;
  });

  const globalName = `${cfg.namePrefix}-global`;
  new aws.cloudwatch.Dashboard(
    "global-dashboard",
    { dashboardName: globalName, dashboardBody: globalDashboardBody(pipelines.map((p) => p.dashboardInput)) },
    { provider: provider(cfg.centralLogRegion) },
  );

  const logArchives: Record<string, pulumi.Output<string>> = {};
  for (const [region, archive] of archives) logArchives[region] = archive.bucketName;
  return { regions, logArchives, globalDashboardUrl: dashboardUrl(cfg.centralLogRegion, globalName) };
}
