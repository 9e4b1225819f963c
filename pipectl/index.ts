// pipectl: the operator CLI. Each subcommand lives in ./commands/<name>.ts and
// exports `register(program)`; this file only assembles them. Registering
// loads no AWS SDK, pg or sharp: each command imports those when it runs, so
// `--help` costs little more than starting node (bench/startup).
import { cliProgram, exitWith, runCli } from "../cli/exit-codes";
import { version } from "../package.json";
import * as canaryCommand from "./commands/canary";
import * as dbGuardCommand from "./commands/db-guard";
import * as dlqCommand from "./commands/dlq";
import * as processCommand from "./commands/process";
import * as reprocessCommand from "./commands/reprocess";

const program = cliProgram(
  "pipectl",
  "Operate the thumbnail pipeline: process files locally, reprocess, redrive dead letters, guard the database, run the canary.\n" +
    "Exit codes: 0 success, 1 findings or failed items, 2 usage, bad input or an error it stopped on, 130 interrupted (resumable).",
  version,
);

for (const command of [processCommand, dbGuardCommand, reprocessCommand, dlqCommand, canaryCommand]) command.register(program);

void runCli(program).then(exitWith);
