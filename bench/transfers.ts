/**
 * The transfers the scenarios time: one ferry `get` or `put` against a fresh server
 * (a subprocess or in this process) with its SHA-256 checked, and the raw-loopback
 * counterparts that move the same bytes between a socket and a file with 4 MiB
 * buffers and no protocol.
 *
 * @module
 */

import { join } from "node:path";
import { connect } from "../src/client_session.ts";
import { startServer } from "../src/server.ts";
import { mbPerSecond } from "./measure.ts";
import { startFerryProcess } from "./processes.ts";
import { HOST, processMemory, readToEnd, removeAll, writeAll } from "./system.ts";
import type { Bench, TestFile } from "./workspace.ts";

const CHUNK = 4 << 20;

/** Where the ferry server runs: a `ferry serve` subprocess, or this process. */
export type ServerPlace = "process" | "in-process";

/** One ferry transfer's figures. */
export interface TransferSample {
  mbPerSecond: number;
  /** The server subprocess's peak RSS in KiB (only for `process`). */
  peakKiB?: number;
}

/**
 * Starts a fresh ferry server, moves `file` once with the library client, checks the
 * SHA-256, and removes the copy. The server is fresh so its peak RSS is this transfer's.
 */
export async function ferryTransfer(
  bench: Bench,
  kind: "get" | "put",
  file: TestFile,
  place: ServerPlace,
  run: number,
): Promise<TransferSample> {
  const { served, local } = bench.workspace;
  await using server = place === "process"
    ? await startFerryProcess(served)
    : await startServer({ root: served, hostname: HOST, port: 0 });
  const port = "port" in server ? server.port : server.addr.port;
  const copy = kind === "get" ? join(local, `ferry-${run}-${file.name}`) : `up-${run}-${file.name}`;
  try {
    const started = performance.now();
    const client = await connect({ hostname: HOST, port });
    try {
      const result = kind === "get"
        ? await client.get(file.name, copy)
        : await client.put(file.path, copy);
      if (!result.verified || result.sha256 !== file.sha256) {
        throw new Error(`The ferry ${kind} of ${file.name} did not verify its SHA-256`);
      }
    } finally {
      await client.quit();
    }
    const ms = performance.now() - started;
    const peakKiB = "child" in server ? (await processMemory(server.child.pid)).peak : undefined;
    return { mbPerSecond: mbPerSecond(file.size, ms), peakKiB };
  } finally {
    await removeAll(kind === "get" ? copy : join(served, copy));
  }
}

/** A read buffer for `size` bytes: 4 MiB, or less for a smaller file (zeroing costs too). */
export function bufferFor(size: number): Uint8Array {
  return new Uint8Array(Math.max(1, Math.min(CHUNK, size)));
}

/**
 * Reads a connection to its end into a new file; returns the byte count. `buffer` is
 * reused by sequential callers; concurrent ones need one each.
 */
export async function rawReceive(
  port: number,
  path: string,
  sync: boolean,
  buffer: Uint8Array,
): Promise<number> {
  using conn = await Deno.connect({ hostname: HOST, port });
  using file = await Deno.open(path, { write: true, createNew: true });
  let total = 0;
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    await writeAll(file, buffer.subarray(0, n));
    total += n;
  }
  if (sync) await file.syncData();
  return total;
}

/** Sends a file, half-closes, and waits for the peer to close once it has stored it. */
export async function rawSend(port: number, path: string): Promise<void> {
  using conn = await Deno.connect({ hostname: HOST, port });
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(CHUNK);
  while (true) {
    const n = await file.read(buffer);
    if (n === null) break;
    await writeAll(conn, buffer.subarray(0, n));
  }
  await conn.closeWrite();
  await readToEnd(conn);
}
