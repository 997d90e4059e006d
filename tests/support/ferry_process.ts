/**
 * ferry as a subprocess: its entry point, its permissions, and `ferry serve` started
 * on a free loopback port with its banner read. Under it, {@linkcode spawnChild}: any
 * child whose first stdout line is awaited and whose output is read in the background,
 * so a chatty child never stalls on a full pipe. Shared by tests, the bench and the soak.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** ferry's entry point, and the permissions it runs with. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
export const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys=statfs,networkInterfaces",
  "--allow-run",
];

/** How {@linkcode spawnChild} starts a child. */
export interface ChildOptions {
  /** Its working folder; default this process's. */
  cwd?: string;
  /** Variables added to its environment. */
  env?: Record<string, string>;
  /** Whether to wait for its first stdout line (its banner). Default true. */
  banner?: boolean;
  /** Milliseconds to wait for the banner before killing the child. Default 30 000. */
  startTimeout?: number;
}

/** A running child process. */
export interface SpawnedProcess {
  pid: number;
  /** Its first line of output, with the `\n`; `""` if it printed none (or was not asked to). */
  banner: string;
  /** Settles when it exits. */
  status: Promise<Deno.CommandStatus>;
  /** The log (stderr) written since the last call, waiting for some; `""` once it has ended. */
  readLog(): Promise<string>;
  /** Stdout after the banner, read until it holds `until` (or ends); returns all of it so far. */
  readOutput(until: string): Promise<string>;
  /**
   * Sends `signal` (SIGKILL after 10 s), then waits for the exit; returns the code and
   * the log not read yet. Safe to call again, or after the child has exited.
   */
  stop(signal?: Deno.Signal): Promise<{ code: number; log: string }>;
}

/** Starts `program ARGS` with stdin closed, and waits for its banner unless told not to. */
export async function spawnChild(
  program: string,
  args: string[],
  options: ChildOptions = {},
): Promise<SpawnedProcess> {
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const status = child.status;
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // It has exited already.
    }
  };
  const log = textQueue(child.stderr);
  const stdout = textQueue(child.stdout);
  let banner = "";
  if (options.banner ?? true) {
    const timer = setTimeout(() => kill("SIGKILL"), options.startTimeout ?? 30_000);
    for (let piece; !banner.includes("\n") && (piece = await stdout.next()) !== "";) {
      banner += piece;
    }
    clearTimeout(timer);
  }
  let output = banner.slice(banner.indexOf("\n") + 1);
  banner = banner.slice(0, banner.indexOf("\n") + 1);
  return {
    pid: child.pid,
    banner,
    status,
    readLog: log.next,
    async readOutput(until) {
      for (let piece; !output.includes(until) && (piece = await stdout.next()) !== "";) {
        output += piece;
      }
      return output;
    },
    async stop(signal = "SIGTERM") {
      kill(signal);
      const timer = setTimeout(() => kill("SIGKILL"), 10_000);
      const { code } = await status.finally(() => clearTimeout(timer));
      await Promise.all([stdout.ended, log.ended]);
      return { code, log: await log.next() };
    },
  };
}

/** Reads a stream to its end in the background; `next()` hands out what came so far. */
function textQueue(stream: ReadableStream<Uint8Array>): {
  next(): Promise<string>;
  ended: Promise<void>;
} {
  const pieces: string[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((resolve) => resolve());
  let done = false;
  const ended = (async () => {
    try {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        if (text) pieces.push(text);
        wake();
      }
    } catch {
      // Killed mid-write: what came is kept.
    }
    done = true;
    wake();
  })();
  return {
    ended,
    async next() {
      if (pieces.length === 0 && !done) await new Promise<void>((resolve) => waiters.push(resolve));
      return pieces.splice(0).join("");
    },
  };
}

/** A `ferry serve` subprocess. */
export interface ServeProcess extends SpawnedProcess {
  /** Its first line of output: `ferry: serving "DIR" on 127.0.0.1:PORT`. */
  banner: string;
  /** `NaN` if it printed no such line. */
  port: number;
}

/** Which ferry {@linkcode spawnServe} runs, and how. */
export interface ServeOptions extends Omit<ChildOptions, "banner"> {
  /** The entry point, e.g. another checkout's `main.ts`; default {@linkcode MAIN}. */
  main?: string;
}

/**
 * Runs `ferry serve DIR` on a free loopback port, prefixed by `wrapper` (such as
 * `prlimit --nofile=64`) if given, and waits for the line that names its port.
 */
export async function spawnServe(
  dir: string,
  extra: string[] = [],
  wrapper: string[] = [],
  options: ServeOptions = {},
): Promise<ServeProcess> {
  const { main = MAIN, ...spawn } = options;
  const args = ["run", ...PERMISSIONS, main, "serve", dir, "--host", "127.0.0.1", "--port", "0"];
  // This checkout's server keeps its digest cache in memory unless a test says where:
  // tests leave nothing in the user's state folder.
  const cache = main === MAIN && !extra.includes("--digest-cache") ? ["--digest-cache", "off"] : [];
  const [program, ...prefix] = [...wrapper, Deno.execPath()];
  const child = await spawnChild(program, [...prefix, ...args, ...cache, ...extra], {
    ...spawn,
    env: { NO_COLOR: "1", ...spawn.env },
  });
  return { ...child, port: Number(/ on 127\.0\.0\.1:(\d+)\n/.exec(child.banner)?.[1]) };
}

/** How a finished `ferry` run went. */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ferry ARGS` to the end, with `stdin` piped in (empty by default). */
export async function runFerry(
  args: string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
): Promise<Finished> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, MAIN, ...args],
    cwd: options.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(options.stdin ?? ""));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}
