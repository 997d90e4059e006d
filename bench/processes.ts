/**
 * Child processes the benchmark starts: the ferry server (`main.ts serve`), the raw
 * loopback peer (`bench/raw_peer.ts`) and vsftpd. Every child is tracked, its output
 * drained (a full pipe would stall it) with the tail kept for error messages, and
 * stopped with SIGTERM, then SIGKILL if it lingers. {@linkcode stopAll} ends every
 * child still running, for Ctrl-C.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { HOST, withTimeout } from "./system.ts";

/** The repository root (bench/..). */
export const REPO_ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/** The permissions ferry's own `serve` and `connect` tasks use. */
export const FERRY_FLAGS = ["--allow-net", "--allow-read", "--allow-write", "--allow-sys=statfs"];

const running = new Set<Child>();
const TAIL_BYTES = 4096;

/** A started child process whose stdout lines can be awaited. */
export class Child implements AsyncDisposable {
  readonly process: Deno.ChildProcess;
  readonly name: string;
  #stdout = "";
  #stderr = "";
  #waiters: (() => void)[] = [];
  #firstOutputAt: Promise<number>;
  #sawOutput: (at: number) => void = () => {};
  #drained: Promise<void>;
  #status: Promise<Deno.CommandStatus>;

  constructor(name: string, command: string, args: string[], cwd = REPO_ROOT) {
    this.name = name;
    this.process = new Deno.Command(command, {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    running.add(this);
    this.#firstOutputAt = new Promise((resolve) => this.#sawOutput = resolve);
    this.#status = this.process.status.finally(() => running.delete(this));
    this.#drained = Promise.all([
      this.#drain(this.process.stdout, (text) => {
        this.#sawOutput(performance.now());
        this.#stdout = keepTail(this.#stdout + text);
      }),
      this.#drain(this.process.stderr, (text) => this.#stderr = keepTail(this.#stderr + text)),
    ]).then(() => {});
  }

  get pid(): number {
    return this.process.pid;
  }

  /** Resolves with the `performance.now()` at which the first stdout bytes arrived. */
  firstOutputAt(): Promise<number> {
    return this.#firstOutputAt;
  }

  /** Resolves when the process exits. */
  get status(): Promise<Deno.CommandStatus> {
    return this.#status;
  }

  /** Resolves with the first complete stdout line (the listening address, for servers). */
  async firstLine(ms = 30_000): Promise<string> {
    const wait = async () => {
      const line = () => {
        const end = this.#stdout.indexOf("\n");
        return end >= 0 ? this.#stdout.slice(0, end) : undefined;
      };
      for (let turn = 0; turn < 100_000; turn++) {
        if (line() !== undefined) return line()!;
        const exited = await Promise.race([
          new Promise<false>((resolve) => this.#waiters.push(() => resolve(false))),
          this.#status.then(() => true),
        ]);
        if (exited) {
          await this.#drained;
          if (line() !== undefined) return line()!;
          break;
        }
      }
      throw new Error(`${this.name} exited without printing a line: ${this.output()}`);
    };
    return await withTimeout(wait(), ms, `Starting ${this.name}`);
  }

  /** The port from a first line ending in `:PORT` or consisting of `PORT`. */
  async port(): Promise<number> {
    const line = await this.firstLine();
    const port = Number(/(?:^|:)(\d{1,5})\s*$/.exec(line)?.[1]);
    if (!(port > 0)) throw new Error(`${this.name} printed no port: ${line}`);
    return port;
  }

  /** The last bytes of stdout and stderr, for an error message. */
  output(): string {
    return `${this.#stdout}${this.#stderr}`.trim().replaceAll("\n", " | ") || "(no output)";
  }

  /** Stops the process (SIGTERM, then SIGKILL after `ms`) and waits for it. */
  async stop(ms = 10_000): Promise<Deno.CommandStatus> {
    try {
      this.process.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    const timer = setTimeout(() => {
      try {
        this.process.kill("SIGKILL");
      } catch {
        // Exited meanwhile.
      }
    }, ms);
    try {
      const status = await this.#status;
      await this.#drained;
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #drain(stream: ReadableStream<Uint8Array>, add: (text: string) => void): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        add(decoder.decode(chunk, { stream: true }));
        this.#waiters.splice(0).forEach((wake) => wake());
      }
    } catch {
      // The process was killed mid-write.
    }
  }
}

function keepTail(text: string): string {
  // Keeps the first line (a server's address) plus the most recent output.
  if (text.length <= 2 * TAIL_BYTES) return text;
  const firstEnd = text.indexOf("\n") + 1;
  return text.slice(0, Math.min(firstEnd, TAIL_BYTES)) + text.slice(-TAIL_BYTES);
}

/** Starts `deno run FLAGS SCRIPT ARGS` with this Deno. */
export function spawnDeno(name: string, flags: string[], script: string, args: string[]): Child {
  return new Child(name, Deno.execPath(), ["run", ...flags, script, ...args]);
}

/** A running `ferry serve` subprocess. */
export interface FerryProcess extends AsyncDisposable {
  child: Child;
  port: number;
}

let sessionFlags: Promise<boolean> | undefined;

/** Whether this ferry's `serve` has `--max-sessions-per-peer` (added with session limits). */
function hasSessionFlags(): Promise<boolean> {
  sessionFlags ??= new Deno.Command(Deno.execPath(), {
    args: ["run", ...FERRY_FLAGS, "main.ts", "serve", "--help"],
    cwd: REPO_ROOT,
    stdin: "null",
    stderr: "null",
  }).output().then((output) =>
    new TextDecoder().decode(output.stdout).includes("--max-sessions-per-peer")
  );
  return sessionFlags;
}

/**
 * Starts `ferry serve ROOT` on 127.0.0.1 with a port the OS picks, and reads the port.
 * `sessions` raises the session limits (all from 127.0.0.1) to leave room for that many.
 */
export async function startFerryProcess(root: string, sessions = 0): Promise<FerryProcess> {
  const args = ["serve", root, "--host", HOST, "--port", "0"];
  if (sessions > 32 && await hasSessionFlags()) {
    const limit = String(sessions + 16);
    args.push("--max-sessions", limit, "--max-sessions-per-peer", limit);
  }
  const child = spawnDeno("ferry serve", FERRY_FLAGS, "main.ts", args);
  try {
    const port = await child.port();
    return { child, port, [Symbol.asyncDispose]: () => child.stop().then(() => {}) };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** The raw peer's script, relative to the repository root. */
export const RAW_PEER = "bench/raw_peer.ts";

/** Starts `raw_peer.ts` with `args` and reads its port. */
export async function startRawPeer(args: string[]): Promise<FerryProcess> {
  const child = spawnDeno("raw peer", FERRY_FLAGS, RAW_PEER, args);
  try {
    const port = await child.port();
    return { child, port, [Symbol.asyncDispose]: () => child.stop().then(() => {}) };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** Stops every child still running (for Ctrl-C), each by its own pid. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(2_000).catch(() => {})));
}
