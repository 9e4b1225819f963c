// A process running the thumbnails handler behind the SQS event source, one
// invocation at a time, as one Lambda container does: its memory is measured
// apart from the S3/SQS servers and whatever feeds them (the load bench reads
// its RSS over time). startLocalPipeline with `handlerHost: "child"` starts
// one per unit of concurrency; configured through HANDLER_HOST_CONFIG (JSON)
// and the function's environment; talks over the IPC channel: memory samples
// and batch outcomes out, "stop" in.
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { startSqsEventSource, type BatchOutcome } from "./event-source";
import { thumbnailsFunction, type LocalFunction } from "./thumbnails-function";

export interface HandlerHostConfig {
  sqsConfig: SQSClientConfig;
  s3Config: S3ClientConfig;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** This container's number, for the batch outcomes it reports. */
  worker: number;
  functionTimeoutMs: number;
  applicationName: string;
  functionEnv: Record<string, string>;
  memorySampleMs: number;
  settledSampleMs: number;
}

export type HostMessage =
  | { type: "ready" }
  /** `settled`: read between invocations right after a full garbage collection, so it is what the process retains. */
  | { type: "memory"; at: number; rss: number; heapUsed: number; settled: boolean; cpuMicros: number }
  | { type: "batch"; outcome: BatchOutcome }
  | { type: "error"; message: string };

function send(message: HostMessage): void {
  process.send?.(message);
}

function main(): void {
  const raw = process.env.HANDLER_HOST_CONFIG;
  if (!raw || !process.send) throw new Error("handler-host runs as a child of startLocalPipeline (HANDLER_HOST_CONFIG and an IPC channel)");
  const config = JSON.parse(raw) as HandlerHostConfig;
  const sqs = new SQSClient(config.sqsConfig);
  const functions: LocalFunction[] = [];
  const source = startSqsEventSource({
    sqs,
    queueUrl: config.queueUrl,
    queueArn: config.queueArn,
    region: config.region,
    concurrency: 1,
    functionTimeoutMs: config.functionTimeoutMs,
    createHandler: () => {
      const fn = thumbnailsFunction({
        worker: config.worker,
        env: config.functionEnv,
        s3Config: config.s3Config,
        queue: { sqsConfig: config.sqsConfig, url: config.queueUrl },
        applicationName: config.applicationName,
        functionTimeoutMs: config.functionTimeoutMs,
      });
      functions.push(fn);
      return fn.handle;
    },
    onBatch: (outcome) => {
      send({ type: "batch", outcome: { ...outcome, worker: config.worker } });
      settledSample();
    },
    onError: (error) => send({ type: "error", message: error instanceof Error ? error.message : String(error) }),
  });
  const sample = (settled: boolean) => {
    const { rss, heapUsed } = process.memoryUsage();
    const cpu = process.cpuUsage();
    send({ type: "memory", at: Date.now(), rss, heapUsed, settled, cpuMicros: cpu.user + cpu.system });
  };
  const sampler = setInterval(() => sample(false), config.memorySampleMs);
  // At most every settledSampleMs, between two invocations (what a Lambda
  // container keeps while it waits for the next one), after a full GC (node
  // --expose-gc): garbage V8 has not collected yet is not a leak, and neither
  // are the pixel buffers of an image still being rendered, which a sample
  // taken on a timer would catch mid-image. Drift is judged on these samples.
  const gc = (globalThis as { gc?: () => void }).gc;
  let lastSettledAt = 0;
  function settledSample(): void {
    if (!gc || Date.now() - lastSettledAt < config.settledSampleMs) return;
    gc();
    sample(true);
    lastSettledAt = Date.now();
  }
  process.on("message", (message) => {
    if (message !== "stop") return;
    clearInterval(sampler);
    void source
      .stop()
      .then(() => Promise.all(functions.map((fn) => fn.close())))
      .finally(() => {
        sqs.destroy();
        process.disconnect();
      });
  });
  // The parent going away ends this process too.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready" });
}

main();
