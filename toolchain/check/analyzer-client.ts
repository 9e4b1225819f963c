// Starts a policy pack and talks to it over the Analyzer gRPC protocol with
// the stubs @pulumi/pulumi ships. The Pulumi CLI's Node.js language host runs
// a pack as `node <@pulumi/pulumi/cmd/run-policy-pack resolved from the pack>
// <engine address> <pack dir>` with cwd = the pack and stack, project and
// config in the environment; run-policy-pack registers ts-node (type-checking)
// and requires the pack. Loader "pulumi-cli" does exactly that; "tsx" runs
// index.ts through tsx instead (no type-check). Either way the pack's
// @pulumi/policy server binds 127.0.0.1:0 and prints its port as the first
// line of stdout.
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { analyzer, AnalyzerClient, Empty, type PluginInfo, RUN_POLICY_PACK } from "../pulumi-internals";

/** The policy server's own limit (server.js maxRPCMessageSize); the CLI dials with the same. */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;
const START_TIMEOUT_MS = 60_000;

export class AnalyzerStartError extends Error {}

/** How node loads the pack: as the Pulumi CLI does (ts-node, type-checked), or through tsx. */
export type PackLoader = "pulumi-cli" | "tsx";
export const PACK_LOADERS: readonly PackLoader[] = ["pulumi-cli", "tsx"];

/** The engine address argument: this driver is the engine but serves nothing the pack could call back. */
const NO_ENGINE = "127.0.0.1:0";

/** node's arguments for a pack in packDir (absolute), run with cwd = packDir. */
export function packCommand(loader: PackLoader, packDir: string): string[] {
  if (loader === "tsx") return ["--require", require.resolve("tsx/cjs"), "index.ts", NO_ENGINE, "."];
  // The language host resolves run-policy-pack from the pack folder, as node would, so do the same.
  let runPolicyPack: string;
  try {
    runPolicyPack = require.resolve(RUN_POLICY_PACK, { paths: [packDir] });
  } catch {
    throw new AnalyzerStartError(`${packDir}: @pulumi/pulumi/cmd/run-policy-pack cannot be resolved from the pack; run npm install`);
  }
  return [runPolicyPack, NO_ENGINE, packDir];
}

export interface StartOptions {
  /** The policy pack folder (holds PulumiPolicy.yaml, package.json, index.ts). */
  packDir: string;
  stack: string;
  project: string;
  /** The stack's config as the CLI passes it, in PULUMI_CONFIG and ConfigureStack (flat `namespace:key` map). */
  stackConfig?: Record<string, string>;
  /** Which of those keys are secret. */
  secretKeys?: string[];
  dryRun?: boolean;
  /** Extra environment for the pack process (tests point SNOWFLAKE_GUARD_REPO_ROOT at a prepared build). */
  env?: Record<string, string>;
  /** Default "pulumi-cli": the pack runs exactly as `pulumi preview --policy-pack` runs it. */
  loader?: PackLoader;
}

type Unary<Req, Res> = (req: Req, callback: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall;

function call<Req, Res>(client: AnalyzerClient, method: Unary<Req, Res>, req: Req): Promise<Res> {
  return new Promise((resolvePromise, reject) => {
    method.call(client, req, (err, res) => (err ? reject(err) : resolvePromise(res)));
  });
}

function isUnimplemented(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === grpc.status.UNIMPLEMENTED;
}

/** Reads the port line the pack prints, collecting stderr for a useful error when it fails instead. */
function waitForPort(child: ChildProcess, packDir: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let out = "";
    let err = "";
    let settled = false;
    const timer = setTimeout(() => fail(`did not print its port within ${START_TIMEOUT_MS / 1000}s`), START_TIMEOUT_MS);
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new AnalyzerStartError(`policy pack ${packDir} ${why}${err.trim() ? `:\n${err.trim()}` : ""}`));
    };
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && !settled) {
        const port = Number(line.trim());
        if (!Number.isInteger(port) || port <= 0) return fail(`printed ${JSON.stringify(line)} instead of its port`);
        settled = true;
        clearTimeout(timer);
        resolvePort(port);
      }
      return undefined;
    });
    child.on("exit", (code, signal) => fail(`exited (${signal ?? `code ${String(code)}`}) before serving`));
    child.on("error", (e) => fail(`could not start: ${e.message}`));
  });
}

/** A running policy pack and a client connected to it. Close it when done. */
export class AnalyzerSession {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
    readonly packDir: string,
  ) {}

  static async start(options: StartOptions): Promise<AnalyzerSession> {
    const packDir = resolve(options.packDir);
    for (const file of ["PulumiPolicy.yaml", "package.json", "index.ts"]) {
      if (!existsSync(join(packDir, file))) throw new AnalyzerStartError(`${packDir} is not a policy pack: ${file} is missing`);
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_STACK: options.stack,
      PULUMI_PROJECT: options.project,
      PULUMI_NODEJS_STACK: options.stack,
      PULUMI_NODEJS_PROJECT: options.project,
      PULUMI_DRY_RUN: String(options.dryRun ?? true),
      PULUMI_NODEJS_DRY_RUN: String(options.dryRun ?? true),
      ...(options.stackConfig ? { PULUMI_CONFIG: JSON.stringify(options.stackConfig) } : {}),
      ...(options.secretKeys?.length ? { PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(options.secretKeys) } : {}),
      ...options.env,
    };
    const child = spawn(process.execPath, packCommand(options.loader ?? "pulumi-cli", packDir), {
      cwd: packDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await waitForPort(child, packDir);
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    });
    const session = new AnalyzerSession(child, client, packDir);
    try {
      await session.handshake(options);
    } catch (e) {
      await session.close();
      throw e;
    }
    return session;
  }

  /** Handshake and ConfigureStack, tolerating packs too old to implement them, as the CLI does. */
  private async handshake(options: StartOptions): Promise<void> {
    const hs = new analyzer.AnalyzerHandshakeRequest();
    hs.setEngineAddress("");
    hs.setRootDirectory(this.packDir);
    hs.setProgramDirectory(this.packDir);
    try {
      await call(this.client, this.client.handshake, hs);
    } catch (e) {
      if (!isUnimplemented(e)) throw e;
    }
    const cs = new analyzer.AnalyzerStackConfigureRequest();
    cs.setStack(options.stack);
    cs.setProject(options.project);
    cs.setOrganization("");
    cs.setDryRun(options.dryRun ?? true);
    const config = cs.getConfigMap();
    for (const [k, v] of Object.entries(options.stackConfig ?? {})) config.set(k, v);
    cs.setConfigSecretKeysList(options.secretKeys ?? []);
    try {
      await call(this.client, this.client.configureStack, cs);
    } catch (e) {
      if (!isUnimplemented(e)) throw e;
    }
  }

  getPluginInfo(): Promise<PluginInfo> {
    return call(this.client, this.client.getPluginInfo, new Empty());
  }

  getAnalyzerInfo(): Promise<analyzer.AnalyzerInfo> {
    return call(this.client, this.client.getAnalyzerInfo, new Empty());
  }

  async configure(config: Map<string, analyzer.PolicyConfig>): Promise<void> {
    const req = new analyzer.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [k, v] of config) map.set(k, v);
    await call(this.client, this.client.configure, req);
  }

  analyze(req: analyzer.AnalyzeRequest): Promise<analyzer.AnalyzeResponse> {
    return call(this.client, this.client.analyze, req);
  }

  analyzeStack(req: analyzer.AnalyzeStackRequest): Promise<analyzer.AnalyzeResponse> {
    return call(this.client, this.client.analyzeStack, req);
  }

  /** Closes the connection and stops the pack process, waiting for it to exit (at most 5 s before SIGKILL). */
  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.child.once("exit", () => done()));
    this.child.kill();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
