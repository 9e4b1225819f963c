// Runs the Pulumi program in-process under the shared mocks for one stack's
// config and records every resource the way the engine would register it.
// Used by `npm run plan`, `npm run check -- --stack` and the infra tests.
//
// `props` are the resource inputs in Pulumi's wire form, as the engine hands
// them to a policy pack over the Analyzer protocol: plain JSON, where
//   - a value not known yet is the string UNKNOWN (Pulumi's unknown sentinel,
//     "04da6b54-80e4-46f7-96ec-b56ff0331ba9"); it only appears with
//     `unknownOutputs` (a first preview), since the mocks answer every output;
//   - secrets, assets and archives are objects keyed by SIGNATURE_KEY
//     ("4dabf18193072939515e22adb298388d") as in the protocol (a FileArchive is
//     `{ [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path: "dist/<fn>", hash }`, with
//     the content hash the engine computes when the program registers it).
import * as pulumi from "@pulumi/pulumi";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../../infra/config";
import { pipelineProgram } from "../../infra/program";
import { withEngineArchiveHashes } from "../build/archive-hash";
import { ensureFreshBuild } from "../build/ensure";
import { PipelineMocks, type MockOptions } from "./mocks";

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const ARCHIVE_SIGNATURE = "0def7320c3a5731c473e5ecbe6d01bc7";
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  /** Region of the resource's explicit provider; for components, the one region of their children, else "global". */
  region: string;
  parent: string | null;
  provider: string | null;
  props: Record<string, Json>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

export interface PlanFile {
  stack: string;
  project: string;
  resources: PlanResource[];
}

export interface PlanOptions extends Omit<MockOptions, "accountId"> {
  /** Checkout to plan; defaults to this repository. */
  repoRoot?: string;
  /** Replace or add `thumbnail-pipeline:*` keys on top of the stack file (decoded values, e.g. `regions: [...]`). */
  config?: Record<string, unknown>;
  /** Build dist/ first when missing or stale (default true); false plans against whatever dist/ holds. */
  ensureBuild?: boolean;
  /** Keep JavaScript stack traces while the program runs (slower; for debugging the program). */
  stackTraces?: boolean;
}

export class PlanError extends Error {}

export const REPO_ROOT = resolve(__dirname, "..", "..");

/** The project name from Pulumi.yaml. */
export function readProjectName(repoRoot: string): string {
  const doc = parseYaml(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")) as { name?: unknown };
  if (typeof doc.name !== "string") throw new PlanError("Pulumi.yaml has no project name");
  return doc.name;
}

export function listStacks(repoRoot: string): string[] {
  return readdirSync(repoRoot)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** The stack file's `config:` as Pulumi hands it to a program: every value a string, structured ones JSON. */
export function readStackConfig(repoRoot: string, stack: string): Record<string, string> {
  const file = ["yaml", "yml"].map((ext) => join(repoRoot, `Pulumi.${stack}.${ext}`)).find((f) => existsSync(f));
  if (!file) {
    throw new PlanError(`unknown stack "${stack}": no Pulumi.${stack}.yaml in the project. Stacks here: ${listStacks(repoRoot).join(", ") || "(none)"}`);
  }
  let doc: { config?: Record<string, unknown> };
  try {
    doc = (parseYaml(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  } catch (err) {
    throw new PlanError(`Pulumi.${stack}.yaml is not valid YAML: ${(err as Error).message}`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (value !== null && typeof value === "object" && "secure" in (value as object)) {
      throw new PlanError(`${key} is a secret; the offline plan cannot decrypt it. Keep secrets in AWS (by ARN) and out of stack config.`);
    }
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

interface PropertyDependencies {
  getUrnsList(): string[];
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (value: PropertyDependencies, key: string) => void): void };
  getObject(): { toJavaScript(): Record<string, Json> } | undefined;
}
interface RegisterResponse {
  getUrn(): string;
}
type Callback = (err: unknown, resp?: RegisterResponse) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
}

/** Wraps the mock monitor so each registration is recorded with its parent, provider and dependencies. */
function recordRegistrations(into: Omit<PlanResource, "region">[]): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike | undefined;
  if (!monitor) throw new PlanError("Pulumi mocks are not installed");
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, resp) => {
      if (!err && resp) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
          propertyDependencies[key] = [...deps.getUrnsList()].sort();
        });
        into.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || null,
          provider: req.getProvider() || null,
          // The engine hashes archives on registration, relative to its working directory, as here.
          props: withEngineArchiveHashes(req.getObject()?.toJavaScript() ?? {}, process.cwd()),
          dependencies: [...new Set(req.getDependenciesList())].sort(),
          propertyDependencies,
        });
      }
      callback(err, resp);
    });
}

function assignRegions(resources: Omit<PlanResource, "region">[], mocks: PipelineMocks): PlanResource[] {
  const own = new Map<string, string | undefined>();
  for (const r of resources) {
    own.set(r.urn, r.type === "pulumi:providers:aws" ? (typeof r.props.region === "string" ? r.props.region : undefined) : mocks.regionOf(r.provider ?? undefined));
  }
  const children = new Map<string, string[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const regionsUnder = (urn: string): Set<string> => {
    const set = new Set<string>();
    const mine = own.get(urn);
    if (mine) set.add(mine);
    for (const c of children.get(urn) ?? []) for (const x of regionsUnder(c)) set.add(x);
    return set;
  };
  return resources.map((r) => {
    const mine = own.get(r.urn);
    if (mine) return { ...r, region: mine };
    const under = regionsUnder(r.urn);
    return { ...r, region: under.size === 1 ? [...under][0] : "global" };
  });
}

/**
 * The SDK formats a stack trace for every resource and every internal promise
 * (for source positions and leak reports); that is most of a plan's time and a
 * plan reads none of them. Until the returned function runs, stacks are empty
 * strings (error messages are kept). `stackTraces: true` keeps them for debugging.
 */
export function muteStackTraces(): () => void {
  const sourceMaps = process.sourceMapsEnabled;
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  process.setSourceMapsEnabled(false);
  Error.prepareStackTrace = () => "";
  // No frames captured for the per-promise traces either (the SDK raises the limit itself where it wants a source position).
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
    process.setSourceMapsEnabled(sourceMaps);
  };
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Plans one stack. Pulumi's runtime state is process-global, so plans run one
 * at a time; each awaits every registration (the SDK's own RPC tracking) before
 * returning.
 */
export function planStack(stackName: string, options: PlanOptions = {}): Promise<PlanFile> {
  const run = queue.then(() => planStackNow(stackName, options));
  queue = run.catch(() => undefined);
  return run;
}

async function planStackNow(stack: string, options: PlanOptions): Promise<PlanFile> {
  const repoRoot = resolve(options.repoRoot ?? REPO_ROOT);
  const project = readProjectName(repoRoot);
  const config = readStackConfig(repoRoot, stack);
  for (const [key, value] of Object.entries(options.config ?? {})) {
    const full = `${project}:${key}`;
    if (value === undefined) delete config[full];
    else config[full] = typeof value === "string" ? value : JSON.stringify(value);
  }
  if (options.ensureBuild !== false) await ensureFreshBuild(repoRoot);

  const mocks = new PipelineMocks({ ssmParameters: options.ssmParameters, unknownOutputs: options.unknownOutputs });
  await pulumi.runtime.setMocks(mocks, project, stack, options.unknownOutputs === true);
  pulumi.runtime.setAllConfig(config);
  const recorded: Omit<PlanResource, "region">[] = [];
  recordRegistrations(recorded);
  const restoreStacks = options.stackTraces ? () => undefined : muteStackTraces();
  try {
    await pipelineProgram({ repoRoot, stack });
    // Every registerResource holds an RPC keep-alive; disconnect waits for all of them.
    await pulumi.runtime.disconnect();
  } catch (err) {
    await pulumi.runtime.disconnect().catch(() => undefined);
    if (err instanceof ConfigError) throw new PlanError(`stack "${stack}": ${err.message}`);
    throw err;
  } finally {
    restoreStacks();
  }
  return { stack, project, resources: assignRegions(recorded, mocks) };
}
