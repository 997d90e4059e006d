/**
 * The server a soak runs against: `ferry serve` as a subprocess (the default, so
 * client and server do not share a thread) or in this process, with a way to read
 * its memory and to stop it.
 *
 * @module
 */

import { startServer } from "../src/server/server.ts";
import { spawnServe } from "../tests/support/ferry_process.ts";
import { processMemory } from "../tests/support/proc.ts";

const SESSION_LIMITS = ["--plain", "--max-sessions-per-peer", "1000", "--max-sessions", "1000"];

/** A server under soak: where it listens, how much memory it holds, how to stop it. */
export interface SoakServer {
  port: number;
  /** RSS now and at its peak (VmRSS, VmHWM) in bytes, where the platform tells. */
  memory(): Promise<{ rss?: number; peak?: number }>;
  /** Internal errors it logged, or its early exit; complete once `stop()` has returned. */
  problems: string[];
  stop(): Promise<void>;
}

/** Starts `main.ts serve` as a child process; `timeout` bounds its start in ms. */
export async function startChild(root: string, timeout: number): Promise<SoakServer> {
  const server = await spawnServe(root, SESSION_LIMITS, [], { startTimeout: timeout });
  const problems: string[] = [];
  let exited = false;
  server.status.finally(() => exited = true);
  if (!(server.port > 0)) {
    const { log } = await server.stop();
    throw new Error(`The server did not start: ${server.banner || "no output"}; ${log}`);
  }
  async function stop(): Promise<void> {
    if (exited) problems.push(`exited early with code ${(await server.status).code}`);
    const { log } = await server.stop();
    for (const line of log.split("\n")) {
      if (line.split(" ")[2] === "internal-error") problems.push(line);
    }
  }
  return {
    port: server.port,
    problems,
    stop,
    memory: async () => ({ ...await processMemory(server.pid) }),
  };
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
