// What `pipectl reprocess` and `pipectl dlq redrive` share around their run:
// the target, Ctrl-C as a clean interruption (the run stays resumable), the
// database and the run store, all released however the run ends; and the
// report at the end, printed the same way for both.
import type { Client } from "pg";
import { buildRunReport, formatRunReport, waitForRunToSettle, type RunReport } from "./report";
import { RunStore, type RunRecord } from "./run-store";
import { connect, openTarget, quietLocalHandler, type Target, type TargetOptions } from "./targets";

export interface BatchSession {
  target: Target;
  store: RunStore;
  db: Client;
  /** Aborted on SIGINT: the run stops after the batch in flight. */
  signal: AbortSignal;
  log: (line: string) => void;
}

/** Opens everything a batch command needs, runs `body`, and closes it all again. */
export async function withBatchSession(options: TargetOptions, body: (session: BatchSession) => Promise<number>): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.local) quietLocalHandler();
  const target = await openTarget(options, log);
  const abort = new AbortController();
  const onSigint = () => {
    log("interrupting after the batch in flight...");
    abort.abort();
  };
  process.once("SIGINT", onSigint);
  let store: RunStore | undefined;
  let db: Client | undefined;
  try {
    db = await connect(target.databaseUrl);
    store = await RunStore.open(target.databaseUrl);
    return await body({ target, store, db, signal: abort.signal, log });
  } finally {
    process.off("SIGINT", onSigint);
    await store?.close();
    await db?.end();
    await target.close();
  }
}

/** Builds the run's report (waiting up to `waitSeconds` for rows when the run completed) and prints it. */
export async function printRunReport(
  session: BatchSession,
  run: RunRecord,
  completed: boolean,
  opts: { dlqUrl: string | undefined; waitSeconds: number; json: boolean | undefined; extra: Record<string, unknown> },
): Promise<RunReport> {
  const deps = { store: session.store, db: session.db, sqs: session.target.sqs, dlqUrl: opts.dlqUrl };
  const report = opts.waitSeconds > 0 && completed ? await waitForRunToSettle(run, deps, opts.waitSeconds * 1000) : await buildRunReport(run, deps);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...report, ...opts.extra })}\n`);
  else process.stdout.write(`${formatRunReport(report)}\n`);
  return report;
}
