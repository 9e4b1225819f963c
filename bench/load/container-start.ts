// How a handler container of the load bench really started, read from
// /proc: the figures describe that, not what the variant meant, and a
// "function" container that did not start as deployed fails the run (a
// missing wrapper once made NODE_OPTIONS lose to the bootstrap's flags
// unnoticed, and the bench measured a process Lambda never runs).
import { basename } from "node:path";
import { FUNCTION_ENVIRONMENTS, RUNTIME_ENV } from "../../contracts";
import { commandLineOf, startEnvironmentOf } from "../../local/proc-status";

const WRAPPER = FUNCTION_ENVIRONMENTS.thumbnails.execWrapper.name;

/** How one container actually started, read from /proc: what the figures describe, whatever was meant. */
export interface ContainerStart {
  /** node's flags after the bootstrap (and the exec wrapper, when there is one) built the command line. */
  nodeFlags: string[];
  /** RUNTIME_ENV's variables and the exec wrapper's (AWS_LAMBDA_EXEC_WRAPPER) as the process got them (absent ones left out). */
  startSettings: Record<string, string>;
}

const START_SETTINGS = [...Object.keys(RUNTIME_ENV), WRAPPER];

/** How the container `pid` started (Linux /proc): node's flags, and the process-start settings it got. */
export function containerStart(pid: number): ContainerStart {
  const argv = commandLineOf(pid);
  const environ = startEnvironmentOf(pid);
  return {
    // Between the binary and the runtime client script.
    nodeFlags: argv.slice(1, -1),
    startSettings: Object.fromEntries(START_SETTINGS.filter((key) => environ[key] !== undefined).map((key) => [key, environ[key]])),
  };
}

/** What keeps `start` from being the deployed function's start: a RUNTIME_ENV value or the wrapper missing. */
export function startProblemsOf(start: ContainerStart): string[] {
  const problems = Object.entries(RUNTIME_ENV)
    .filter(([key, value]) => start.startSettings[key] !== value)
    .map(([key, value]) => `${key} is ${start.startSettings[key] ?? "unset"}, deployed ${value}`);
  if (start.startSettings[WRAPPER] === undefined) problems.push(`${WRAPPER} is unset: NODE_OPTIONS' flags lose to the bootstrap's`);
  return problems;
}

export function describeStart(start: ContainerStart): string {
  const settings = Object.entries(start.startSettings).map(([key, value]) => `${key}=${key === WRAPPER ? basename(value) : value}`);
  return `node ${start.nodeFlags.join(" ")} (${settings.length > 0 ? settings.join(" ") : "no RUNTIME_ENV, no wrapper"})`;
}
