/**
 * The child processes of the benchmark: ferry servers (this checkout's `main.ts serve`
 * or a baseline checkout's), the raw peer (`bench/raw_peer.ts`), vsftpd, and programs
 * run to completion (ferry's CLI client, curl), those through `rusage.py` so that their
 * CPU time is known. Every child is tracked, so {@linkcode stopAll} can end each one by
 * its own pid on Ctrl-C.
 *
 * @module
 */

import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { newToken } from "../src/server/access.ts";
import {
  MAIN,
  PERMISSIONS,
  type ServeProcess,
  spawnChild,
  type SpawnedProcess,
  spawnServe,
} from "../tests/support/ferry_process.ts";

/** The repository root (bench/..). */
export const REPO_ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/** The loopback address every socket uses. */
export const HOST = "127.0.0.1";

/** A tracked child: stopped on dispose, and by {@linkcode stopAll}. */
export type Child<T extends SpawnedProcess = SpawnedProcess> = T & AsyncDisposable;

const running = new Set<{ stop(): Promise<unknown> }>();

/** Tracks `child` until it exits; disposing it stops it. */
export function track<T extends SpawnedProcess>(child: T): Child<T> {
  const entry = { stop: () => child.stop() };
  running.add(entry);
  child.status.finally(() => running.delete(entry));
  return { ...child, [Symbol.asyncDispose]: () => child.stop().then(() => {}) };
}

/** Stops every child still running (for Ctrl-C), each by its own pid. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop().catch(() => {})));
}

/** A ferry checkout: this one, or the `--baseline` one. */
export interface Checkout {
  /** `ferry` or `ferry (baseline)`, for labels. */
  name: string;
  /** Its `main.ts`, and the folder it runs in. */
  main: string;
  dir: string;
  /**
   * The flags that make it speak the classic protocol: `--plain` for this checkout,
   * nothing for an older one that knows no other.
   */
  classic: string[];
}

/**
 * This checkout, or the one in `dir`: one whose `serve` knows `--plain` is secure by
 * default, so it is given that flag; an older one speaks nothing else.
 */
export function checkout(dir?: string): Checkout {
  if (dir === undefined) return { name: "ferry", main: MAIN, dir: REPO_ROOT, classic: ["--plain"] };
  let serve = "";
  try {
    serve = Deno.readTextFileSync(join(dir, "src", "cli", "serve.ts"));
  } catch {
    // Laid out otherwise: an old checkout.
  }
  const classic = serve.includes("plain:") ? ["--plain"] : [];
  return { name: "ferry (baseline)", main: join(dir, "main.ts"), dir, classic };
}

/** What a client needs to reach a secure server: the identity to pin, and a token. */
export interface SecureAccess {
  /** The identity file the server reads (`--identity`). */
  identity: string;
  /** Its certificate's SHA-256, lowercase hex. */
  fingerprint: string;
  /** The read-write token (`FERRY_TOKEN`). */
  token: string;
}

/** How {@linkcode startFerry} starts a server. */
export interface FerryOptions {
  /** Which checkout's `main.ts`. Default this one. */
  source?: Checkout;
  /** Raise the session limits (all sessions come from 127.0.0.1) to leave room for this many. */
  sessions?: number;
  /** Serve securely (TLS and tokens) with this identity and token; default `--plain`. */
  secure?: SecureAccess;
}

/** A running `ferry serve`, and how to reach it if it is secure. */
export interface FerryServer extends ServeProcess {
  secure?: SecureAccess;
}

/** Starts `ferry serve ROOT` on a free loopback port, plain (the classic protocol) or secure. */
export async function startFerry(
  root: string,
  options: FerryOptions = {},
): Promise<Child<FerryServer>> {
  const { source = checkout(), sessions = 0, secure } = options;
  if (secure && source.main !== MAIN) {
    throw new TypeError(`${source.name} cannot be benchmarked in secure mode`);
  }
  const limit = String(sessions + 16);
  const flags = [
    ...(secure ? ["--identity", secure.identity] : source.classic),
    ...(sessions > 0 ? ["--max-sessions", limit, "--max-sessions-per-peer", limit] : []),
  ];
  // A second token, so the server prints none it made up (and none is left to chance).
  const env: Record<string, string> = secure
    ? { FERRY_TOKEN: secure.token, FERRY_READ_TOKEN: newToken() }
    : {};
  const spawned = await spawnServe(root, flags, [], { main: source.main, cwd: source.dir, env });
  const server = track<FerryServer>({ ...spawned, secure });
  if (!(server.port > 0)) {
    const { log } = await server.stop();
    throw new Error(`${source.name} serve did not start: ${server.banner}${log}`.trim());
  }
  return server;
}

/** The raw peer's script. */
export const RAW_PEER = join(REPO_ROOT, "bench", "raw_peer.ts");

/** Starts `raw_peer.ts ARGS`, with ferry's permissions, and waits for its banner. */
export async function spawnRawPeer(args: string[]): Promise<Child> {
  return track(await spawnChild(Deno.execPath(), ["run", ...PERMISSIONS, RAW_PEER, ...args]));
}

/** A raw peer that listens, and its port. */
export async function startRawPeer(args: string[]): Promise<Child & { port: number }> {
  const peer = await spawnRawPeer(args);
  const port = Number(peer.banner);
  if (port > 0) return { ...peer, port };
  const { log } = await peer.stop();
  throw new Error(`The raw peer did not start: ${peer.banner}${log}`.trim());
}

/** The path of an installed program, like `command -v`, also looking in the sbin folders. */
export async function findProgram(name: string): Promise<string | undefined> {
  for (const folder of [...(await searchPath()), "/usr/sbin", "/usr/local/sbin", "/sbin"]) {
    const path = join(folder, name);
    const stat = await Deno.stat(path).catch(() => undefined);
    if (stat?.isFile && (stat.mode ?? 0) & 0o111) return path;
  }
  return undefined;
}

async function searchPath(): Promise<string[]> {
  const output = await new Deno.Command("sh", { args: ["-c", 'echo "$PATH"'] }).output();
  return new TextDecoder().decode(output.stdout).trim().split(":").filter(Boolean);
}

let python: Promise<string | undefined> | undefined;

/** python3's own executable (past any pyenv shim, which is slow and forks), if installed. */
export function findPython(): Promise<string | undefined> {
  python ??= findProgram("python3").then(async (shim) => {
    if (!shim) return undefined;
    const args = ["-c", "import sys; print(sys.executable)"];
    const output = await new Deno.Command(shim, { args, stderr: "null" }).output();
    return new TextDecoder().decode(output.stdout).trim() || undefined;
  });
  return python;
}

/** What {@linkcode runMeasured} saw. */
export interface Run {
  /** Milliseconds from spawn to exit. */
  ms: number;
  /** The CPU seconds of the program (and its children); `undefined` without python3. */
  cpu?: number;
  /** Its stdout and stderr. */
  output: string;
}

/** Runs `program ARGS` to completion (fed `stdin` if given); fails unless it exits with 0. */
export async function runMeasured(
  program: string,
  args: string[],
  options: { stdin?: string; cwd?: string } = {},
): Promise<Run> {
  const wrapper = await findPython();
  const [command, ...words] = wrapper
    ? [wrapper, join(REPO_ROOT, "bench", "rusage.py"), program, ...args]
    : [program, ...args];
  const started = performance.now();
  const child = new Deno.Command(command, {
    args: words,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const entry = {
    stop: () => {
      try {
        child.kill("SIGTERM"); // rusage.py passes it on.
      } catch {
        // It has exited meanwhile.
      }
      return Promise.resolve();
    },
  };
  running.add(entry);
  try {
    const result = child.output();
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    }
    const { success, code, stdout, stderr } = await result;
    const ms = performance.now() - started;
    const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    if (!success) {
      const tail = output.trim().split("\n").slice(-3).join(" | ");
      throw new Error(`${basename(program)} ${args.join(" ")} exited with ${code}: ${tail}`);
    }
    const usage = /rusage (\d+\.\d+) (\d+\.\d+)\s*$/.exec(output);
    return usage ? { ms: 1000 * Number(usage[1]), cpu: Number(usage[2]), output } : { ms, output };
  } finally {
    running.delete(entry);
  }
}
