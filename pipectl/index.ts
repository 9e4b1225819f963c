// pipectl: the operator CLI. Each subcommand lives in ./commands/<name>.ts and
// exports `register(program)`; this file only assembles them.
import { Command } from "commander";
import * as processCommand from "./commands/process";
import * as dbGuardCommand from "./commands/db-guard";
import * as reprocessCommand from "./commands/reprocess";
import * as dlqCommand from "./commands/dlq";
import * as canaryCommand from "./commands/canary";

const program = new Command()
  .name("pipectl")
  .description("Operate the thumbnail pipeline: process files locally, reprocess, redrive dead letters, guard the database, run the canary.")
  .showHelpAfterError();

for (const command of [processCommand, dbGuardCommand, reprocessCommand, dlqCommand, canaryCommand]) command.register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`pipectl: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
