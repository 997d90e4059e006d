/**
 * Test fixtures: temp folders that clean up after themselves, a server on a free
 * loopback port, a raw client to poke it with, random bytes and SHA-256 of files.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { decodeField } from "../../src/protocol/field.ts";
import type { SessionEvent } from "../../src/server/log.ts";
import { type Server, type ServerOptions, startServer } from "../../src/server/server.ts";
import { Channel } from "../../src/transport/channel.ts";
import { tcp } from "../../src/transport/tcp.ts";
import { assert } from "./assert.ts";
import { Peer } from "./peer.ts";

export { concat } from "./peer.ts";

/** A temp folder removed, with everything in it, on dispose. */
export interface TempDir extends AsyncDisposable {
  path: string;
  /** `join(path, ...parts)`. */
  file(...parts: string[]): string;
}

/** Makes a temp folder under the system temp dir. */
export async function tempDir(): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: "ferry-test-" });
  return {
    path,
    file: (...parts) => join(path, ...parts),
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** A server on 127.0.0.1 with a free port, sharing a fresh temp folder, plus its log. */
export interface TestServer extends AsyncDisposable {
  server: Server;
  root: TempDir;
  port: number;
  events: SessionEvent[];
  /** Resolves with the first logged event (past or future) that matches. */
  waitFor(match: (event: SessionEvent) => boolean): Promise<SessionEvent>;
}

/** Starts a server for one test; dispose it to shut down and remove the folder. */
export async function testServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const root = await tempDir();
  const events: SessionEvent[] = [];
  const waiters = new Set<
    { match: (e: SessionEvent) => boolean; resolve: (e: SessionEvent) => void }
  >();
  const server = await startServer({
    root: root.path,
    hostname: "127.0.0.1",
    port: 0,
    log(event) {
      events.push(event);
      for (const waiter of waiters) {
        if (waiter.match(event)) {
          waiters.delete(waiter);
          waiter.resolve(event);
        }
      }
    },
    ...options,
  });
  return {
    server,
    root,
    port: server.addr.port,
    events,
    waitFor(match) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.add({ match, resolve }));
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await root[Symbol.asyncDispose]();
    },
  };
}

/** Whether this host can listen on IPv6 loopback at all (tests of `::1` are skipped if not). */
export const HAS_IPV6_LOOPBACK: boolean = (() => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
})();

/** `size` bytes of random data (crypto.getRandomValues fills at most 64 KiB per call). */
export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)));
  }
  return bytes;
}

/** SHA-256 (hex) of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * XXH3-128 (hex) of bytes, from hash-wasm's one-shot function: a path apart from
 * ferry's reused streaming hashers, so a test of those can catch them out.
 */
export async function xxh128(bytes: Uint8Array): Promise<string> {
  const { xxhash128 } = await import("hash-wasm");
  return await xxhash128(bytes);
}

/** The digest `name` (hex) of bytes, each from its own path apart from ferry's. */
export async function digestHex(name: "sha256" | "xxh128", bytes: Uint8Array): Promise<string> {
  return name === "sha256" ? sha256(bytes) : await xxh128(bytes);
}

/** SHA-256 (hex) of a file's contents. */
export async function sha256File(path: string): Promise<string> {
  return sha256(await Deno.readFile(path));
}

/** The names in a folder, sorted. */
export async function namesIn(path: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(path)) names.push(entry.name);
  return names.sort();
}

/** A control connection driven byte by byte, for speaking to a server as a hostile peer would. */
export class RawClient extends Peer {
  static override async connect(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Sends one command frame. */
  async command(text: string): Promise<void> {
    await this.sendFrame(text);
  }

  /** Reads a reply: a port, or the refusal message. `null` if the server closed. */
  async reply(): Promise<{ port: number } | { refused: string } | null> {
    const field = await this.reader.readField();
    if (field === null) return null;
    const value = decodeField(field);
    if (value !== 0) return { port: value };
    const message = await this.reader.readFrame(4096);
    return { refused: new TextDecoder().decode(message!) };
  }

  /** Whether the server closes the connection within 5 s (after anything still pending). */
  closedByServer(): Promise<boolean> {
    return this.reader.closesWithin(5_000);
  }
}

/** The message of a refusal reply; fails, showing the reply, if it is anything else. */
export function refusalOf(reply: { port: number } | { refused: string } | null): string {
  if (reply !== null && "refused" in reply) return reply.refused;
  throw new assert.AssertionError({ message: `Expected a refusal, got ${JSON.stringify(reply)}` });
}

/**
 * A loopback port that takes no more connections and says nothing: its listener never
 * accepts and its backlog is full, so Linux drops each new SYN without an answer, as a
 * firewall does. The probe connects until one attempt goes unanswered for 200 ms.
 */
export async function silentPort(): Promise<{ port: number } & Disposable> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const fillers: Deno.Conn[] = [];
  const dispose = () => {
    fillers.forEach((conn) => conn.close());
    listener.close();
  };
  try {
    for (let attempt = 0; attempt < 5000; attempt++) {
      const probe = new AbortController();
      const timer = setTimeout(() => probe.abort(), 200);
      try {
        fillers.push(await Deno.connect({ hostname: "127.0.0.1", port, signal: probe.signal }));
      } catch (error) {
        if (!probe.signal.aborted) throw error;
        return { port, [Symbol.dispose]: dispose };
      } finally {
        clearTimeout(timer);
      }
    }
    throw new Error(`Port ${port} took 5000 connections without accepting one`);
  } catch (error) {
    dispose();
    throw error;
  }
}

/** Two channels over one loopback connection: [the accepting side, the connecting side]. */
export async function channelPair(): Promise<[Channel, Channel]> {
  const listener = tcp.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const [a, b] = await Promise.all([listener.accept(), tcp.connect(listener.addr)]);
    return [new Channel(a), new Channel(b)];
  } finally {
    listener.close();
  }
}
