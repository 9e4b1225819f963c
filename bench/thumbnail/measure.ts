// CPU seconds (user + sys) and peak RSS of one child process. GNU time gives
// the peak RSS; bash's `times` gives the children's CPU in milliseconds (GNU
// time prints only hundredths, too coarse for a 20 ms thumbnail).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunCommand } from "./tools";

export interface Measurement {
  cpuSeconds: number;
  peakRssMb: number;
}

const SCRIPT = 'rss="$1"; shift; /usr/bin/time -f "%M" -o "$rss" "$@" > /dev/null || exit $?; times';

/** Parses bash `times`: the second line is the children's user and system time, e.g. "0m1.234s 0m0.056s". */
export function parseTimes(output: string): number {
  const children = output.trim().split("\n")[1] ?? "";
  const match = /^(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s$/.exec(children.trim());
  if (!match) throw new Error(`unexpected output from bash times: ${JSON.stringify(output)}`);
  return Number(match[1]) * 60 + Number(match[2]) + Number(match[3]) * 60 + Number(match[4]);
}

export async function measure(bash: string, command: RunCommand): Promise<Measurement> {
  const scratch = await mkdtemp(join(tmpdir(), "bench-rss-"));
  const rssFile = join(scratch, "rss");
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(bash, ["-c", SCRIPT, "bench", rssFile, command.file, ...command.args], {
        env: { ...process.env, ...command.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("error", fail);
      child.on("close", (exitCode) => done({ code: exitCode, stdout: out, stderr: err }));
    });
    if (code !== 0) throw new Error(`${command.file} ${command.args.join(" ")} exited ${code}: ${stderr.trim().slice(0, 500)}`);
    const rssText = (await readFile(rssFile, "utf8")).trim().split("\n").pop() ?? "";
    // GNU time writes the peak in kB as a whole number; anything else is no figure.
    if (!/^\d+$/.test(rssText)) throw new Error(`GNU time gave no peak RSS for ${command.file}: ${JSON.stringify(rssText)}`);
    return { cpuSeconds: parseTimes(stdout), peakRssMb: Number(rssText) / 1024 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Several commands that together make one input's outputs: CPU adds up, peak RSS is the largest. */
export async function measureAll(bash: string, commands: RunCommand[]): Promise<Measurement> {
  let cpuSeconds = 0;
  let peakRssMb = 0;
  for (const command of commands) {
    const one = await measure(bash, command);
    cpuSeconds += one.cpuSeconds;
    peakRssMb = Math.max(peakRssMb, one.peakRssMb);
  }
  return { cpuSeconds, peakRssMb };
}
