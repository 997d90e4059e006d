/**
 * The server a soak runs against: `ferry serve` as a subprocess (the default, so
 * client and server do not share a thread) or in this process, with a way to read
 * its memory and to stop it.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { startServer } from "../src/server.ts";

const STOP_MS = 10_000;
const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const SERVING = /^ferry: serving .* on 127\.0\.0\.1:(\d+)$/;

/** A server under soak: where it listens, how much memory it holds, how to stop it. */
export interface SoakServer {
  port: number;
  /** RSS now and at its peak (VmRSS, VmHWM) in bytes, where the platform tells. */
  memory(): Promise<{ rss?: number; peak?: number }>;
  /** Internal errors it logged, or its early exit. */
  problems: string[];
  stop(): Promise<void>;
}

/** Starts `main.ts serve` as a child process and reads its port from its first line. */
export async function startChild(root: string, timeout: number): Promise<SoakServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-sys=statfs",
      "main.ts",
      "serve",
      root,
    ]
      .concat(["--host", "127.0.0.1", "--port", "0"])
      .concat(["--max-sessions-per-peer", "1000", "--max-sessions", "1000"]),
    cwd: REPO_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const problems: string[] = [];
  let exited = false;
  const status = child.status.finally(() => exited = true);
  function kill(signal: Deno.Signal): void {
    try {
      if (!exited) child.kill(signal);
    } catch {
      // It exited meanwhile.
    }
  }
  // Both pipes are drained to the end: a full pipe would stall the server.
  const stdout = readLines(child.stdout);
  const stderr = readLines(child.stderr, (line) => {
    if (line.split(" ")[2] === "internal-error") problems.push(line);
  });
  const timer = setTimeout(() => kill("SIGKILL"), timeout);
  const first = await stdout.first.finally(() => clearTimeout(timer));
  const port = Number(SERVING.exec(first ?? "")?.[1]);
  async function stop(): Promise<void> {
    if (exited) problems.push(`exited early with code ${(await status).code}`);
    kill("SIGTERM");
    const killer = setTimeout(() => kill("SIGKILL"), STOP_MS);
    await status.finally(() => clearTimeout(killer));
    await Promise.all([stdout.done, stderr.done]);
  }
  if (!port) {
    await stop();
    throw new Error(`The server did not start: ${first ?? "no output"}; ${stderr.tail()}`);
  }
  return { port, problems, stop, memory: () => processMemory(child.pid) };
}

/** Starts a server in this process. */
export async function startInProcess(root: string): Promise<SoakServer> {
  const problems: string[] = [];
  const server = await startServer({
    root,
    hostname: "127.0.0.1",
    port: 0,
    limits: { maxSessions: 1000, maxSessionsPerPeer: 1000 },
    log: (event) => void (event.action === "internal-error" && problems.push(event.result)),
  });
  const memory = () => Promise.resolve({ rss: Deno.memoryUsage().rss });
  return { port: server.addr.port, problems, stop: () => server.shutdown(), memory };
}

/** VmRSS and VmHWM of a Linux process, in bytes; `cat` reads them, as Deno refuses `/proc`. */
async function processMemory(pid: number): Promise<{ rss?: number; peak?: number }> {
  if (Deno.build.os !== "linux") return {};
  const output = await new Deno.Command("cat", { args: [`/proc/${pid}/status`], stderr: "null" })
    .output();
  const status = new TextDecoder().decode(output.stdout);
  const field = (name: string) => {
    const kib = Number(new RegExp(`^${name}:\\s*(\\d+) kB`, "m").exec(status)?.[1]);
    return kib > 0 ? kib * 1024 : undefined;
  };
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

/**
 * Reads `stream` to its end, passing each line to `onLine`; gives the first line, the
 * end, and the last few lines for an error message.
 */
function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine = (_line: string) => {},
): { first: Promise<string | undefined>; done: Promise<void>; tail(): string } {
  let resolveFirst: (line: string | undefined) => void = () => {};
  const first = new Promise<string | undefined>((resolve) => resolveFirst = resolve);
  const tail: string[] = [];
  async function drain(): Promise<void> {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + text).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        resolveFirst(line);
        onLine(line);
        tail.splice(0, tail.length - 4, line);
      }
    }
    resolveFirst(undefined);
  }
  return { first, done: drain(), tail: () => tail.join(" | ") };
}
