/**
 * What the benchmark needs from the machine: a temp folder (and whether it is on
 * tmpfs), test files with known SHA-256, free loopback ports, installed tools, and a
 * process's RSS. Deno refuses `/proc` and `/dev` paths without `--allow-all`, so
 * `stat` and `cat` read them instead.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** The loopback address every socket uses. */
export const HOST = "127.0.0.1";

const decoder = new TextDecoder();

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Settles like `promise`, or rejects when `ms` pass first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a program to completion and returns its trimmed stdout, or `undefined` on failure. */
export async function runQuietly(program: string, args: string[]): Promise<string | undefined> {
  try {
    const output = await new Deno.Command(program, { args, stdin: "null", stderr: "null" })
      .output();
    return output.success ? decoder.decode(output.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The file system type of `path` as `stat -f` names it (`tmpfs`, `ext2/ext3`...). */
export async function fileSystemType(path: string): Promise<string | undefined> {
  return await runQuietly("stat", ["-f", "-c", "%T", path]);
}

/** The path of an installed program, like `command -v`, also looking in the sbin folders. */
export async function findProgram(name: string): Promise<string | undefined> {
  const found = await runQuietly("sh", ["-c", 'command -v "$0"', name]);
  if (found) return found;
  for (const folder of ["/usr/sbin", "/usr/local/sbin", "/sbin"]) {
    const path = `${folder}/${name}`;
    if (await runQuietly("test", ["-x", path]) !== undefined) return path;
  }
  return undefined;
}

/** A process's memory from `/proc/PID/status`, in KiB. */
export interface ProcessMemory {
  /** Resident set size now. */
  rss: number;
  /** Peak resident set size ("high water mark"). */
  peak: number;
}

/** Reads VmRSS and VmHWM of `pid` (Linux only). */
export async function processMemory(pid: number): Promise<ProcessMemory> {
  const status = await runQuietly("cat", [`/proc/${pid}/status`]);
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s*(\\d+) kB`, "m").exec(status ?? "")?.[1]);
  const memory = { rss: field("VmRSS"), peak: field("VmHWM") };
  if (!(memory.rss > 0 && memory.peak > 0)) {
    throw new Error(`Cannot read the memory of process ${pid} from /proc/${pid}/status`);
  }
  return memory;
}

/**
 * A free port below the OS's ephemeral range, for a server started with a fixed port
 * while we poll it: a port from the ephemeral range can be taken meanwhile by one of
 * the polling sockets themselves (as its local port), so the server fails to listen.
 */
export async function freeFixedPort(): Promise<number> {
  const range = await runQuietly("cat", ["/proc/sys/net/ipv4/ip_local_port_range"]);
  const low = Number(range?.split(/\s+/)[0]) || 32768;
  const floor = Math.min(10_000, low - 1000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    try {
      Deno.listen({ hostname: HOST, port }).close();
      return port;
    } catch {
      // Taken: try another.
    }
  }
  throw new Error(`No free port found below ${low} in 100 attempts`);
}

/**
 * Writes `size` bytes of incompressible, non-repeating data to `path` and returns
 * its SHA-256 (hex). Each 4 MiB block is one random block with its index stamped in.
 */
export async function writeTestFile(path: string, size: number): Promise<string> {
  const block = randomBytes(Math.min(size, 4 << 20));
  const view = new DataView(block.buffer);
  const hash = createHash("sha256");
  using file = await Deno.open(path, { write: true, createNew: true });
  for (let offset = 0, index = 0; offset < size; index++) {
    if (block.byteLength >= 8) view.setFloat64(0, index);
    const chunk = block.subarray(0, Math.min(block.byteLength, size - offset));
    hash.update(chunk);
    for (let written = 0; written < chunk.byteLength;) {
      written += await file.write(chunk.subarray(written));
    }
    offset += chunk.byteLength;
  }
  return hash.digest("hex");
}

/** `size` random bytes (getRandomValues fills at most 64 KiB per call). */
export function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, offset + 65536));
  }
  return bytes;
}

/** Removes `path` and everything in it, ignoring a path that is already gone. */
export async function removeAll(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** Empties a folder by removing and re-creating it. */
export async function resetFolder(path: string): Promise<void> {
  await removeAll(path);
  await Deno.mkdir(path, { recursive: true });
}

/**
 * Connects to `port`, retrying while the connection is refused, until `ms` pass.
 * For a server that is still starting. Polling a free port in the ephemeral range
 * can connect a socket to itself (TCP simultaneous open); such a connection is
 * dropped and the poll goes on.
 */
export async function connectWhenUp(port: number, ms: number): Promise<Deno.TcpConn> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    try {
      const conn = await Deno.connect({ hostname: HOST, port });
      if (conn.localAddr.port !== port) return conn;
      conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
    }
    await sleep(1);
  }
  throw new Error(`Nothing accepted connections on port ${port} within ${ms / 1000} s`);
}

/** Reads until end of stream into a reusable buffer; returns the byte count. */
export async function readToEnd(conn: Deno.Conn, buffer = new Uint8Array(65536)): Promise<number> {
  let total = 0;
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) return total;
    total += n;
  }
}

/** Writes all of `bytes`. */
export async function writeAll(target: Deno.Conn | Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    offset += await target.write(bytes.subarray(offset));
  }
}
