/**
 * The raw-loopback peer: the same sockets and files as ferry, with no protocol, no
 * hashing and no temp files, run as a separate process like the ferry server. Its
 * figures are the ceiling ferry is measured against.
 *
 * ```text
 * raw_peer.ts send FILE [--port N]   every connection receives FILE, then the peer closes
 * raw_peer.ts sink DIR [--sync]      every connection's bytes go to a new file in DIR;
 *                                    the peer closes once the file is written (and synced)
 * raw_peer.ts close                  every connection is closed after its first bytes arrive
 * raw_peer.ts fetch PORT             connect, read to the end, print the byte count, exit
 * ```
 *
 * `send`, `sink` and `close` print the port they listen on (127.0.0.1) as their first line.
 *
 * @module
 */

import { parseArgs } from "node:util";

const CHUNK = 4 << 20;
const HOST = "127.0.0.1";

async function writeAll(target: Deno.Conn | Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    offset += await target.write(bytes.subarray(offset));
  }
}

async function send(conn: Deno.Conn, path: string, size: number): Promise<void> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(Math.max(1, Math.min(CHUNK, size)));
  while (true) {
    const n = await file.read(buffer);
    if (n === null) return;
    await writeAll(conn, buffer.subarray(0, n));
  }
}

async function sink(conn: Deno.Conn, path: string, sync: boolean): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true });
  const buffer = new Uint8Array(CHUNK);
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    await writeAll(file, buffer.subarray(0, n));
  }
  if (sync) await file.syncData();
}

async function closeAfterFirstRead(conn: Deno.Conn): Promise<void> {
  await conn.read(new Uint8Array(4096));
}

async function fetch(port: number): Promise<void> {
  using conn = await Deno.connect({ hostname: HOST, port });
  const buffer = new Uint8Array(CHUNK);
  let total = 0;
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    total += n;
  }
  console.log(total);
}

async function serve(port: number, handle: (conn: Deno.Conn) => Promise<void>): Promise<void> {
  const listener = Deno.listen({ hostname: HOST, port });
  console.log(listener.addr.port);
  for await (const conn of listener) {
    handle(conn).catch(() => {}).finally(() => {
      try {
        conn.close();
      } catch {
        // Closed by the peer already.
      }
    });
  }
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { port: { type: "string", default: "0" }, sync: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const [mode, target] = positionals;
  const port = Number(values.port);
  if (mode === "send" && target) {
    const { size } = await Deno.stat(target);
    return await serve(port, (conn) => send(conn, target, size));
  }
  if (mode === "close") return await serve(port, closeAfterFirstRead);
  if (mode === "fetch" && target) return await fetch(Number(target));
  if (mode === "sink" && target) {
    let next = 0;
    return await serve(port, (conn) => sink(conn, `${target}/raw-${next++}.bin`, values.sync));
  }
  console.error("Usage: raw_peer.ts send FILE [--port N] | sink DIR [--sync] | close | fetch PORT");
  Deno.exit(2);
}

if (import.meta.main) await main(Deno.args);
