/**
 * Test fixtures: temp folders that clean up after themselves, a server on a free
 * loopback port, byte streams fed in chosen pieces, and SHA-256 of files.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Server, type ServerOptions, startServer } from "../src/server.ts";
import type { SessionEvent } from "../src/server_session.ts";
import { decodeField, encodeFrame, FrameReader } from "../src/wire.ts";

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

/** A byte stream that delivers `bytes` cut into pieces of `pieceSize` bytes. */
export function byteStream(
  bytes: Uint8Array,
  pieceSize = bytes.byteLength || 1,
): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      if (offset >= bytes.byteLength) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const piece = bytes.slice(offset, offset + pieceSize);
      offset += piece.byteLength;
      controller.enqueue(piece);
    },
  });
}

/** Concatenates byte arrays and strings (as UTF-8). */
export function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const encoded = parts.map((p) => typeof p === "string" ? new TextEncoder().encode(p) : p);
  const out = new Uint8Array(encoded.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of encoded) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A control connection driven byte by byte, for speaking to a server as a hostile peer would. */
export class RawClient implements Disposable {
  readonly conn: Deno.TcpConn;
  readonly reader: FrameReader;
  #writer: WritableStreamDefaultWriter<Uint8Array>;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    this.reader = new FrameReader(conn.readable);
    this.#writer = conn.writable.getWriter();
  }

  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Sends raw bytes (or a string as UTF-8). */
  async send(...parts: (Uint8Array | string)[]): Promise<void> {
    await this.#writer.write(concat(...parts));
  }

  /** Sends one command frame. */
  async command(text: string): Promise<void> {
    await this.send(encodeFrame(text));
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

  /** Whether the server closed the connection (after reading anything still pending). */
  async closedByServer(): Promise<boolean> {
    try {
      while (await this.reader.readChunk(65536) !== null) { /* skip */ }
    } catch {
      // A reset is a close too.
    }
    return true;
  }

  [Symbol.dispose](): void {
    this.reader.releaseLock();
    this.#writer.releaseLock();
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** ferry's entry point, and the permissions it runs with. */
export const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
export const PERMISSIONS = ["--allow-net", "--allow-read", "--allow-write", "--allow-sys=statfs"];

/** A `ferry serve` subprocess. */
export interface ServeProcess {
  /** Its first line of output: `ferry: serving "DIR" on 127.0.0.1:PORT`. */
  banner: string;
  port: number;
  /** The next piece of its log (stderr); `""` once it has ended. */
  readLog(): Promise<string>;
  /** Sends `signal`, then waits for the exit; returns the code and the rest of the log. */
  stop(signal?: Deno.Signal): Promise<{ code: number; log: string }>;
}

/**
 * Runs `ferry serve DIR` on a free loopback port, prefixed by `wrapper` (such as
 * `prlimit --nofile=64`) if given, and waits for the line that names its port.
 */
export async function spawnServe(
  dir: string,
  extra: string[] = [],
  wrapper: string[] = [],
): Promise<ServeProcess> {
  const args = ["run", ...PERMISSIONS, MAIN, "serve", dir, "--host", "127.0.0.1", "--port", "0"];
  const [program, ...prefix] = [...wrapper, Deno.execPath()];
  const child = new Deno.Command(program, {
    args: [...prefix, ...args, ...extra],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!banner.includes("\n")) {
    const { value, done } = await stdout.read();
    if (done) break;
    banner += value;
  }
  const readLog = async () => (await stderr.read()).value ?? "";
  return {
    banner,
    port: Number(/ on 127\.0\.0\.1:(\d+)\n/.exec(banner)?.[1]),
    readLog,
    async stop(signal = "SIGTERM") {
      child.kill(signal);
      while (!(await stdout.read()).done) { /* the rest of stdout */ }
      let log = "";
      for (let piece; (piece = await readLog()) !== "";) log += piece;
      return { code: (await child.status).code, log };
    },
  };
}
