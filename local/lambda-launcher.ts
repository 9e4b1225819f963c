// Starts a function the way Lambda's nodejs22.x runtime starts it, for every
// local path (handler containers of the local pipeline, `npm start`, the
// benches, the tests): from its bundle dist/<function> (built first when
// stale), through local/lambda-runtime/bootstrap (the command line the real
// bootstrap derives from the memory size, AWS_LAMBDA_EXEC_WRAPPER honoured),
// with the environment the program gives the function plus Lambda's reserved
// variables and nothing of this shell's, and a Runtime API of its own that the
// runtime client inside polls for invocations. What is measured here is then
// the process Lambda runs.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { buildSync } from "esbuild";
import { REPO_ROOT } from "../cli/repo-root";
import type { Architecture } from "../handlers/build-manifest";
import { ensureFreshBuild } from "../toolchain/build/ensure";
import { CACHE_DIRECTORY } from "../toolchain/build/native-cache";
import { startRuntimeApi, type InvocationAnswer, type ProbeKind, type RuntimeApi } from "./lambda-runtime-api";

export const BOOTSTRAP_PATH = join(REPO_ROOT, "local", "lambda-runtime", "bootstrap");
const RUNTIME_CLIENT_SOURCE = join(REPO_ROOT, "local", "lambda-runtime", "runtime-client.ts");
/** Where Lambda mounts the function's code; env values under it point into the bundle folder here. */
export const LAMBDA_TASK_ROOT = "/var/task";

export interface LambdaFunctionSpec {
  /** The function's name (AWS_LAMBDA_FUNCTION_NAME) and its bundle folder dist/<bundle>. */
  name: string;
  /** dist/<bundle>; the name by default. */
  bundle?: string;
  memoryMb: number;
  timeoutSeconds: number;
  region: string;
  /** The function's environment as the program gives it (used as is: never copied into another table first). */
  environment: Readonly<Record<string, string>>;
  /** Handler string; the manifest's (index.handler) by default. */
  handler?: string;
}

export interface LaunchOptions {
  /** The node binary the bootstrap runs (Lambda's is Node 22); LAMBDA_NODE, else this process's, by default. */
  nodeBinary?: string;
  /** A bundle folder to run instead of dist/<bundle> (a verify run's arm64 build). */
  taskRoot?: string;
  /** Credentials, as Lambda hands the execution role's to the function. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The function's stdout and stderr (its CloudWatch log stream); dropped by default, the tail kept for crash reports. */
  onOutput?: (chunk: string) => void;
  /** Build dist/ first when stale (default true). */
  ensureBuild?: boolean;
}

export interface InvokeResult {
  kind: "returned" | "threw";
  value?: unknown;
  error?: Error;
  /** The container died or timed out during this invocation and is gone. */
  containerLost?: boolean;
}

export interface LambdaContainer {
  pid: number;
  functionName: string;
  /** Runs one invocation (Lambda sends one at a time to a container). A timeout kills the container, as Lambda does. */
  invoke(event: unknown): Promise<InvokeResult>;
  /** A local probe answered from inside the function's process between invocations. */
  probe(kind: ProbeKind): Promise<unknown>;
  /** Resolves when the process has exited, whatever ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** The last lines the function wrote (for crash reports). */
  outputTail(): string;
  /** Ends the container within a bounded time: SIGTERM, then SIGKILL. */
  stop(): Promise<void>;
}

export class LaunchError extends Error {
  override name = "LaunchError";
}

export function hostArchitecture(): Architecture {
  if (process.arch === "arm64") return "arm64";
  if (process.arch === "x64") return "x64";
  throw new LaunchError(`Lambda runs arm64 or x64; this machine is ${process.arch}`);
}

let runtimeClientPath: string | undefined;

/** The runtime client bundled on its own (node built-ins only), rewritten only when its source changed. */
export function runtimeClientScript(): string {
  if (runtimeClientPath !== undefined) return runtimeClientPath;
  const out = join(REPO_ROOT, CACHE_DIRECTORY, "lambda-runtime", "index.mjs");
  const result = buildSync({
    entryPoints: [RUNTIME_CLIENT_SOURCE],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  const text = result.outputFiles[0]?.text ?? "";
  if (!existsSync(out) || readFileSync(out, "utf8") !== text) {
    mkdirSync(dirname(out), { recursive: true });
    const staged = `${out}.${process.pid}.${randomUUID()}`;
    writeFileSync(staged, text);
    renameSync(staged, out);
  }
  runtimeClientPath = out;
  return out;
}

/** A value of the function's environment as Lambda would resolve it here: /var/task paths point into the bundle folder. */
function localValue(value: string, taskRoot: string): string {
  return value === LAMBDA_TASK_ROOT || value.startsWith(`${LAMBDA_TASK_ROOT}/`) ? taskRoot + value.slice(LAMBDA_TASK_ROOT.length) : value;
}

/** Lambda's reserved variables for this function (docs: "Defined runtime environment variables"); they win over the function's own. */
export function reservedVariables(spec: LambdaFunctionSpec, taskRoot: string, runtimeApi: string, nodeBinary: string): Record<string, string> {
  const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${randomUUID().replace(/-/g, "")}`;
  return {
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStream,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: dirname(BOOTSTRAP_PATH),
    _HANDLER: spec.handler ?? "index.handler",
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    PATH: `${dirname(nodeBinary)}:/usr/local/bin:/usr/bin:/bin`,
    LD_LIBRARY_PATH: `${taskRoot}:${join(taskRoot, "lib")}`,
    NODE_PATH: `${join(taskRoot, "node_modules")}:${taskRoot}`,
  };
}

export async function launchLambda(spec: LambdaFunctionSpec, options: LaunchOptions = {}): Promise<LambdaContainer> {
  // LAMBDA_NODE: .ci/run points it at Node 22 so the bundles run on Lambda's version while the tests run on the machine's.
  const nodeBinary = resolve(options.nodeBinary ?? process.env.LAMBDA_NODE ?? process.execPath);
  let taskRoot = options.taskRoot;
  if (taskRoot === undefined) {
    if (options.ensureBuild !== false) await ensureFreshBuild(REPO_ROOT, { architecture: hostArchitecture() });
    taskRoot = join(REPO_ROOT, "dist", spec.bundle ?? spec.name);
  }
  if (!existsSync(taskRoot)) throw new LaunchError(`no bundle for ${spec.name} at ${taskRoot}: run npm run build`);
  const api: RuntimeApi = await startRuntimeApi();
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.environment)) environment[key] = localValue(value, taskRoot);
  const credentials = options.credentials
    ? {
        AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
        ...(options.credentials.sessionToken ? { AWS_SESSION_TOKEN: options.credentials.sessionToken } : {}),
      }
    : {};
  const child: ChildProcess = spawn(BOOTSTRAP_PATH, [], {
    cwd: taskRoot,
    env: {
      ...environment,
      ...credentials,
      ...reservedVariables(spec, taskRoot, api.address, nodeBinary),
      LOCAL_LAMBDA_NODE: nodeBinary,
      LOCAL_LAMBDA_RUNTIME_CLIENT: runtimeClientScript(),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const onChunk = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    options.onOutput?.(text);
  };
  child.stdout?.on("data", onChunk);
  child.stderr?.on("data", onChunk);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once("exit", (code, signal) => resolveExit({ code, signal }));
    child.once("error", () => resolveExit({ code: null, signal: null }));
  });
  let gone = false;
  void exited.then(({ code, signal }) => {
    gone = true;
    void api.close(`container ${spec.name} (pid ${child.pid}) exited (code ${code}, signal ${signal}): ${lastLines(tail)}`);
  });

  const stop = async () => {
    if (!gone) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
      await exited;
      clearTimeout(timer);
    }
    await api.close(`container ${spec.name} stopped`);
  };

  try {
    await Promise.race([
      api.ready,
      exited.then(({ code, signal }) => {
        throw new LaunchError(`${spec.name} exited during init (code ${code}, signal ${signal}): ${lastLines(tail)}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error instanceof LaunchError ? error : new LaunchError(`${spec.name}: ${(error as Error).message}; output: ${lastLines(tail)}`);
  }

  const timeoutMs = spec.timeoutSeconds * 1000;
  const functionArn = `arn:aws:lambda:${spec.region}:000000000000:function:${spec.name}`;
  return {
    pid: child.pid ?? 0,
    functionName: spec.name,
    exited,
    alive: () => !gone,
    outputTail: () => tail,
    probe: (kind) => api.probe(kind),
    stop,
    async invoke(event) {
      const deadlineMs = Date.now() + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
      try {
        const answer = await Promise.race([api.invoke({ event, deadlineMs, invokedFunctionArn: functionArn }), timedOut]);
        if (answer === "timeout") {
          // Lambda ends the execution environment of a timed-out invocation; the next one starts a new container.
          child.kill("SIGKILL");
          return { kind: "threw", error: new Error(`Task timed out after ${spec.timeoutSeconds}.00 seconds`), containerLost: true };
        }
        return fromAnswer(answer);
      } catch (error) {
        return { kind: "threw", error: error as Error, containerLost: true };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function fromAnswer(answer: InvocationAnswer): InvokeResult {
  if (answer.kind === "response") return { kind: "returned", value: answer.value };
  return { kind: "threw", error: Object.assign(new Error(answer.errorMessage), { name: answer.errorType }) };
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-5).join(" | ");
}
