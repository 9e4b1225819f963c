// Every function's log lines carry the invocation's Lambda context (request
// id, cold start), an event it cannot act on is rejected with a line saying
// what was wrong, and a failed call to another service names the call and
// where it went, not only the socket's error code.
import { strict as assert } from "node:assert";
import type { Context } from "aws-lambda";
import { createServer } from "node:net";
import { createDbGuardHandler } from "../../handlers/db-guard/handler";
import { createDatabaseClient } from "../../handlers/shared/db";
import { createLogger, InvalidEventError } from "../../handlers/shared/logger";
import type { DbGuardConfig } from "../../handlers/db-guard/config";
import { handler as canary } from "../../handlers/canary";
import { handler as dbGuard } from "../../handlers/db-guard";
import { handler as oomRemediator } from "../../handlers/oom-remediator";
import { handler as ticketOpener } from "../../handlers/ticket-opener";

const HANDLERS: Record<string, (event: never, context: Context) => Promise<unknown>> = {
  "ticket-opener": ticketOpener,
  "oom-remediator": oomRemediator,
  "db-guard": dbGuard,
  canary,
};

function context(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "fn",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:fn",
    memoryLimitInMB: "256",
    awsRequestId: requestId,
    logGroupName: "/aws/lambda/fn",
    logStreamName: "stream",
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** JSON log lines written to stdout and stderr (Powertools writes warnings and errors there) while `work` runs. */
async function captureLogs(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  const capture = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  const saved = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = "INFO";
  try {
    await work().catch(() => undefined);
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
    if (saved === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = saved;
  }
  return lines
    .flatMap((l) => l.split("\n"))
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("handlers: Lambda context, invalid events, named calls", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  for (const name of ["ticket-opener", "oom-remediator", "db-guard", "canary"] as const) {
    it(`${name} logs with the invocation's request id and cold start`, async () => {
      Object.assign(process.env, {
        ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:alerts",
        DATABASE_URL: `postgres://u:p@127.0.0.1:${await closedPort()}/db`,
        AWS_REGION: "us-east-1",
      });
      const handler = HANDLERS[name] as (event: unknown, context: Context) => Promise<unknown>;
      // An event none of them accepts: each must say so (or fail its first call) in a line carrying the context.
      const logs = await captureLogs(() => handler(null, context(`req-${name}`)));
      const line = logs.find((l) => l.function_request_id === `req-${name}`);
      assert.ok(line, `${name} wrote no line with the request id: ${JSON.stringify(logs).slice(0, 400)}`);
      assert.equal(typeof line.cold_start, "boolean");
    });
  }

  it("ticket-opener rejects an event that is not an SNS notification, saying what is missing", async () => {
    process.env.ALERT_TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alerts";
    const logs = await captureLogs(() =>
      assert.rejects(ticketOpener({}, context("req-empty")), (error: unknown) => error instanceof InvalidEventError && /it has no Records/.test(error.message)),
    );
    assert.ok(
      logs.some((l) => l.message === "invalid event" && /no Records/.test(String(l.errorMessage))),
      JSON.stringify(logs),
    );
  });

  it("db-guard names the call and the database it could not reach", async () => {
    const port = await closedPort();
    const db = createDatabaseClient({
      settings: { source: "url", url: `postgres://u:p@127.0.0.1:${port}/db`, tls: "disable" },
      connectionTimeoutMillis: 2_000,
    });
    const handler = createDbGuardHandler({
      db,
      cloudwatch: {} as never,
      rds: {} as never,
      ssm: {} as never,
      sns: {} as never,
      config: { instanceId: "db-1" } as DbGuardConfig,
      logger: createLogger({ defaultServiceName: "db-guard" }),
      dbEndpoint: `127.0.0.1:${port}`,
    });
    try {
      await assert.rejects(
        handler({ "detail-type": "Scheduled Event" }),
        new RegExp(`^Error: reading pg_stat_activity from 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
      );
      await assert.rejects(handler({ "detail-type": "Scheduled Event" }), (error: unknown) => (error as { code?: string }).code === "ECONNREFUSED");
    } finally {
      await db.end();
    }
  });
});
