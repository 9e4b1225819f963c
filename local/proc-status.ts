// A process's resident set (now, and its peak: VmHWM) and CPU time, read by
// pid from /proc (Linux). The launcher's containers are measured from outside
// this way: the whole process, native memory included, as Lambda's memory
// limit sees it. One reader for the benches and the container fleet.
import { readFileSync } from "node:fs";

/** A `Name:   123 kB` field of /proc/<pid>/status, in kB; undefined when the kernel did not write it. */
function statusKb(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  return match ? Number(match[1]) : undefined;
}

/**
 * Peak (VmHWM) and current (VmRSS) resident set of a running process, in MiB.
 * Throws, naming the pid and the field, when the process is gone or the field
 * is missing: a figure that cannot be read is never NaN.
 */
export function residentMiB(pid: number): { peak: number; now: number } {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch (error) {
    throw new Error(`cannot read the resident set of pid ${pid}: ${(error as Error).message} (the process has exited?)`, { cause: error });
  }
  const field = (name: string) => {
    const kb = statusKb(status, name);
    if (kb === undefined) throw new Error(`/proc/${pid}/status has no ${name} (a kernel thread, or not Linux?)`);
    return kb / 1024;
  };
  return { peak: field("VmHWM"), now: field("VmRSS") };
}

/** Resident set of a process in bytes, or undefined once it is gone (for samplers that outlive their process). */
export function residentBytes(pid: number): number | undefined {
  try {
    const kb = statusKb(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
    return kb === undefined ? undefined : kb * 1024;
  } catch {
    return undefined;
  }
}

/** user + system CPU time of a process from /proc/<pid>/stat, in microseconds (clock ticks of 100 Hz); undefined once it is gone. */
export function cpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** A process's command line (Linux /proc/<pid>/cmdline): the binary, then its arguments. */
export function commandLineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
}

/** A process's environment as it started (Linux /proc/<pid>/environ). */
export function startEnvironmentOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
}
