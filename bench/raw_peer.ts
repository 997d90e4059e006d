/**
 * The raw-loopback peer: the same sockets and files as ferry, with no protocol, no
 * hashing and no temp files, run as a separate process like the ferry server. Its
 * figures are the ceiling ferry is measured against.
 *
 * ```text
 * raw_peer.ts send FILE        every connection receives FILE, then the peer closes it
 * raw_peer.ts sink DIR [--sync] every connection's bytes go to a new file in DIR; the
 *                              peer closes once the file is written (and synced)
 * raw_peer.ts close            every connection is closed once its first bytes arrive
 * raw_peer.ts fetch PORT       connect, read to the end, print the byte count, exit
 * raw_peer.ts list PORT        a classic `ls` of the ferry server at PORT, the listing read
 *                              and dropped unparsed; print `sent` once the command is out,
 *                              then its bytes and milliseconds, and exit
 * ```
 *
 * `send`, `sink` and `close` listen on a free port of 127.0.0.1 and print it first.
 *
 * @module
 */

const CHUNK = 4 << 20;
const HOST = "127.0.0.1";

/** What {@linkcode copy} reads from: a socket or a file. */
export interface Source {
  read(buffer: Uint8Array): Promise<number | null>;
}

/** What {@linkcode copy} writes to. */
export interface Sink {
  write(bytes: Uint8Array): Promise<number>;
}

/** Copies `from` to `to` (or nowhere) with one buffer, 4 MiB by default; returns the count. */
export async function copy(
  from: Source,
  to: Sink | undefined,
  buffer = new Uint8Array(CHUNK),
): Promise<number> {
  let total = 0;
  for (let n; (n = await from.read(buffer)) !== null;) {
    for (let written = 0; to && written < n;) {
      written += await to.write(buffer.subarray(written, n));
    }
    total += n;
  }
  return total;
}

/** Exactly `n` bytes from `conn`; throws if it ends first. */
async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(n);
  for (let got = 0; got < n;) {
    const read = await conn.read(bytes.subarray(got));
    if (read === null) throw new Error(`The connection ended after ${got} of ${n} bytes`);
    got += read;
  }
  return bytes;
}

async function serve(handle: (conn: Deno.Conn) => Promise<unknown>): Promise<void> {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
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

async function main([mode, target, flag]: string[]): Promise<void> {
  if (mode === "send" && target) {
    const size = (await Deno.stat(target)).size;
    return await serve(async (conn) => {
      using file = await Deno.open(target);
      await copy(file, conn, new Uint8Array(Math.max(1, Math.min(CHUNK, size))));
    });
  }
  if (mode === "sink" && target) {
    let next = 0;
    return await serve(async (conn) => {
      using file = await Deno.open(`${target}/raw-${next++}.bin`, { write: true, createNew: true });
      await copy(conn, file);
      if (flag === "--sync") await file.syncData();
    });
  }
  if (mode === "close") return await serve((conn) => conn.read(new Uint8Array(4096)));
  if (mode === "fetch" && target) {
    using conn = await Deno.connect({ hostname: HOST, port: Number(target) });
    return console.log(await copy(conn, undefined));
  }
  if (mode === "list" && target) {
    const started = performance.now();
    using control = await Deno.connect({ hostname: HOST, port: Number(target) });
    await control.write(new TextEncoder().encode("0000000002ls"));
    console.log("sent");
    const port = Number(new TextDecoder().decode(await readExactly(control, 10)));
    using data = await Deno.connect({ hostname: HOST, port });
    // Exactly the frame, then close: the server waits for the client to close first.
    const length = Number(new TextDecoder().decode(await readExactly(data, 10)));
    const bytes = (await readExactly(data, length)).byteLength;
    return console.log(`${bytes} ${performance.now() - started}`);
  }
  console.error(
    "Usage: raw_peer.ts send FILE | sink DIR [--sync] | close | fetch PORT | list PORT",
  );
  Deno.exit(2);
}

if (import.meta.main) await main(Deno.args);
