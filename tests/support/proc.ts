/**
 * What Linux's `/proc` says about a process: its memory (VmRSS, VmHWM) and the CPU
 * time it has used. Deno refuses `/proc` paths without `--allow-all`, so `cat` reads
 * them (`--allow-run` is enough). Elsewhere the readers return `undefined`.
 *
 * @module
 */

/** The text of `/proc` files, concatenated; `undefined` if `cat` fails. */
async function readProc(paths: string[]): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return undefined;
  try {
    const output = await new Deno.Command("cat", { args: paths, stdin: "null", stderr: "null" })
      .output();
    return output.success ? new TextDecoder().decode(output.stdout) : undefined;
  } catch {
    return undefined;
  }
}

/** A process's memory, in bytes. */
export interface ProcessMemory {
  /** Resident set size now (VmRSS). */
  rss: number;
  /** Peak resident set size, the "high water mark" (VmHWM). */
  peak: number;
}

/** VmRSS and VmHWM of `pid`; `undefined` where they cannot be read. */
export async function processMemory(pid: number): Promise<ProcessMemory | undefined> {
  const status = await readProc([`/proc/${pid}/status`]) ?? "";
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+) kB`, "m").exec(status)?.[1]);
  const memory = { rss: kib("VmRSS") * 1024, peak: kib("VmHWM") * 1024 };
  return memory.rss > 0 && memory.peak > 0 ? memory : undefined;
}

/** CPU seconds (user + system) a process has used. */
export interface ProcessTimes {
  /** By the process itself, all its threads. */
  own: number;
  /** By its children that have exited and that it has waited for. */
  children: number;
}

let clockTicks: Promise<number> | undefined;

/** Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`, almost always 100). */
function ticksPerSecond(): Promise<number> {
  clockTicks ??= new Deno.Command("getconf", { args: ["CLK_TCK"], stderr: "null" }).output()
    .then((output) => Number(new TextDecoder().decode(output.stdout)) || 100, () => 100);
  return clockTicks;
}

/** The CPU times of each of `pids`, read in one go; `undefined` if any cannot be read. */
export async function processTimes(pids: number[]): Promise<ProcessTimes[] | undefined> {
  const text = await readProc(pids.map((pid) => `/proc/${pid}/stat`));
  const lines = text?.trim().split("\n") ?? [];
  if (lines.length !== pids.length) return undefined;
  const ticks = await ticksPerSecond();
  return lines.map((line) => {
    // After "PID (COMM) ", fields 3 on: utime, stime, cutime and cstime are 14 to 17.
    const fields = line.slice(line.lastIndexOf(")") + 2).split(" ").map(Number);
    const [utime, stime, cutime, cstime] = fields.slice(11, 15);
    return { own: (utime + stime) / ticks, children: (cutime + cstime) / ticks };
  });
}

/** The pids of a process's living children (`/proc/PID/task/PID/children`). */
export async function childPids(pid: number): Promise<number[]> {
  const text = await readProc([`/proc/${pid}/task/${pid}/children`]);
  return (text ?? "").split(/\s+/).filter(Boolean).map(Number);
}
