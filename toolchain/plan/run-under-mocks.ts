// Runs a Pulumi program (a function) under the shared AWS mocks and returns
// the plan: every resource as the engine would hold it (engine-view.ts) with
// its region. Used for this repository's program (plan-stack.ts, in process)
// and for any other program (program-host.ts, in its own process).
import type * as pulumiModule from "@pulumi/pulumi";
import { assignRegions, engineView, EngineError, type EngineResource, type Json, type Registration, recordRegistrations } from "./engine-view";
import { autonamedInput, AwsMocks, type MockOptions } from "./mocks";
import { muteStackTraces, waitForRPCs } from "../pulumi-internals";

export interface PlanResource extends Omit<EngineResource, "outputs"> {
  /** Region of the resource's provider; for components, the one region of their children, else "global". */
  region: string;
  /** The state AnalyzeStack gets; a plan written without it (or made by hand) gives the inputs instead. */
  outputs?: EngineResource["outputs"];
}

export interface PlanFile {
  stack: string;
  project: string;
  resources: PlanResource[];
}

export interface MockRunOptions {
  /** The @pulumi/pulumi the program uses: its runtime state is what the mocks replace. */
  pulumi: typeof pulumiModule;
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys?: string[];
  /** The program's folder: relative asset and archive paths resolve against it. */
  workDir: string;
  mocks?: Omit<MockOptions, "defaultRegion" | "unknownOutputs">;
  /** Like a first `pulumi preview`: computed outputs stay unknown. */
  firstPreview?: boolean;
  /** Keep JavaScript stack traces while the program runs (slower; for debugging the program). */
  stackTraces?: boolean;
  /**
   * Run the program's `beforeExit` work, as a language host whose process ends
   * when its event loop empties does (the S3 mixins register a bucket's
   * BucketNotification then). Only in a process of the program's own: it
   * emits `beforeExit` on this process.
   */
  exitWork?: boolean;
}

/** Lets the program's `beforeExit` handlers register what they leave for the end, until no more comes. */
async function runExitWork(pulumi: typeof pulumiModule, recorded: Registration[]): Promise<void> {
  for (let round = 0; round < 10; round++) {
    await waitForRPCs(pulumi);
    const before = recorded.length;
    process.emit("beforeExit", 0);
    await new Promise((done) => setImmediate(done));
    await waitForRPCs(pulumi);
    if (recorded.length === before) return;
  }
}

/** The provider's Check fills in a generated name: the engine's inputs hold it. */
function withGeneratedNames(resources: EngineResource[]): EngineResource[] {
  return resources.map((r) => {
    const key = autonamedInput(r.type);
    if (!key || r.props[key] !== undefined || typeof r.outputs[key] !== "string") return r;
    return { ...r, props: { ...r.props, [key]: r.outputs[key] } };
  });
}

/** A resource on the default aws provider needs the stack's region to be placed. */
function requireDefaultRegion(resources: EngineResource[], o: MockRunOptions): void {
  if (o.config["aws:region"] !== undefined) return;
  const onDefault = resources.find((r) => r.provider?.includes("::pulumi:providers:aws::default"));
  if (onDefault) {
    throw new EngineError(
      `${onDefault.urn} uses the default aws provider, and stack ${o.stack} sets no aws:region: set it in Pulumi.${o.stack}.yaml (\`pulumi config set aws:region <region>\`); the CLI would otherwise take AWS_REGION from its environment, which an offline check does not read`,
    );
  }
}

/** Runs `program` (the program's main, already loaded) under the mocks; resolves to its plan. */
export async function runUnderMocks(o: MockRunOptions, program: () => unknown): Promise<PlanFile> {
  const { pulumi } = o;
  const mocks = new AwsMocks({ ...o.mocks, defaultRegion: o.config["aws:region"], unknownOutputs: o.firstPreview === true });
  await pulumi.runtime.setMocks(mocks, o.project, o.stack, o.firstPreview === true);
  pulumi.runtime.setAllConfig(o.config, o.secretKeys);
  const recorded: Registration[] = [];
  recordRegistrations(pulumi, recorded);
  const restoreStacks = o.stackTraces ? () => undefined : muteStackTraces();
  let stackOutputs: Record<string, Json> = {};
  try {
    const exported = await program();
    if (exported !== null && typeof exported === "object")
      stackOutputs = (await pulumi.runtime.serializeProperties("stack outputs", exported as Record<string, unknown>)) as Record<string, Json>;
    if (o.exitWork) await runExitWork(pulumi, recorded);
    // Every registerResource holds an RPC keep-alive; disconnect waits for all of them.
    await pulumi.runtime.disconnect();
  } catch (err) {
    await pulumi.runtime.disconnect().catch(() => undefined);
    throw err;
  } finally {
    restoreStacks();
  }
  const view = withGeneratedNames(
    engineView(recorded, { stack: o.stack, project: o.project, config: o.config, workDir: o.workDir, stackOutputs, firstPreview: o.firstPreview }),
  );
  requireDefaultRegion(view, o);
  return { stack: o.stack, project: o.project, resources: assignRegions(view) };
}
