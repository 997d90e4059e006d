/**
 * The ephemeral data connection: a one-shot listener on an OS-chosen port that
 * admits exactly one connection from the expected peer, and the loops that move
 * one payload across it while computing its SHA-256. Knows nothing of files.
 *
 * @module
 */

import { TransferError } from "./errors.ts";
import { seconds, withDeadline } from "./deadline.ts";
import { describeError } from "./text.ts";
import { encodeField, type FrameReader } from "./wire.ts";

/** Options for {@linkcode DataListener.open}. */
export interface DataListenerOptions {
  /** Local address to bind: the control connection's local address. */
  hostname: string;
  /** The only remote address allowed to connect: the control connection's peer. */
  peer: string;
  /** Milliseconds to wait for the peer to connect. Default 30 000. */
  acceptTimeout?: number;
  /** Called for each connection refused because it came from another address. */
  onIntruder?: (address: Deno.NetAddr) => void;
}

/** A listener that hands out one connection, from one peer, before a deadline. */
export class DataListener implements Disposable {
  #listener: Deno.TcpListener;
  #options: DataListenerOptions;
  #closed = false;

  private constructor(listener: Deno.TcpListener, options: DataListenerOptions) {
    this.#listener = listener;
    this.#options = options;
  }

  /** Starts listening; the port is known, and connectable, as soon as this returns. */
  static open(options: DataListenerOptions): DataListener {
    return new DataListener(Deno.listen({ hostname: options.hostname, port: 0 }), options);
  }

  /** The port the OS chose. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /**
   * Waits for the peer's connection and closes the listener. Connections from any
   * other address are closed and reported. Throws {@linkcode TransferError} when the
   * deadline passes first.
   */
  async accept(): Promise<Deno.TcpConn> {
    const timeout = this.#options.acceptTimeout ?? 30_000;
    try {
      return await withDeadline(
        timeout,
        () => this.close(),
        `No data connection arrived within ${seconds(timeout)}`,
        async () => {
          while (true) {
            const conn = await this.#listener.accept();
            if (conn.remoteAddr.hostname === this.#options.peer) {
              noDelay(conn);
              return conn;
            }
            this.#options.onIntruder?.(conn.remoteAddr);
            conn.close();
          }
        },
      );
    } finally {
      this.close();
    }
  }

  /** Stops listening; a pending {@linkcode accept} rejects. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Something bytes can be read from, such as `Deno.FsFile`. */
export interface ByteSource {
  read(buffer: Uint8Array): Promise<number | null>;
}

/** Options for moving one payload. */
export interface PayloadOptions {
  /** Called after each chunk with the number of payload bytes moved so far. */
  onProgress?: (bytes: number) => void;
  /** Size of each read. Default 1 MiB. */
  chunkSize?: number;
  /** Compute the SHA-256. Default `true`; a listing has no use for one. */
  hash?: boolean;
}

/** How many buffers a transfer rotates through: one filling, one hashing, one draining. */
const PIPELINE_DEPTH = 3;

/** Default size of one chunk of a transfer. */
const CHUNK_SIZE = 1 << 20;

/**
 * Chunks are written in slices this large and progress is reported as each one
 * drains, so a slow but steady reader keeps the stall watchdog quiet: it needs to
 * take 256 KiB per stall timeout, not a whole chunk.
 */
const WRITE_SLICE = 256 << 10;

/**
 * Sends one frame: the length field for `size`, then exactly `size` bytes read from
 * `source`. Returns the SHA-256 (hex) of the bytes sent.
 *
 * Reading the next chunk, hashing this one and writing the last one overlap: the file
 * and socket calls run on Deno's I/O threads while this thread hashes.
 */
export async function sendPayload(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  source: ByteSource,
  size: number,
  options: PayloadOptions = {},
): Promise<string> {
  const chunkSize = Math.max(1, Math.min(options.chunkSize ?? CHUNK_SIZE, size));
  const buffers = Array.from({ length: PIPELINE_DEPTH }, () => new Uint8Array(chunkSize));
  const hash = options.hash === false ? NO_HASH : await sha256Hasher();
  await writeOrFail(writer, encodeField(size));
  let sent = 0;
  let written = 0;
  const readNext = (index: number, remaining: number) => {
    const buffer = buffers[index % PIPELINE_DEPTH].subarray(0, Math.min(chunkSize, remaining));
    return settled(source.read(buffer).then((n) => n === null ? null : buffer.subarray(0, n)));
  };
  let reading = size > 0 ? readNext(0, size) : undefined;
  let writing: Promise<void> = Promise.resolve();
  for (let index = 0; sent < size; index++) {
    const chunk = await reading!;
    if (chunk === null) throw new TransferError(`The file ended after ${sent} of ${size} bytes`);
    const after = sent + chunk.byteLength;
    reading = after < size ? readNext(index + 1, size - after) : undefined;
    hash.update(chunk);
    await writing;
    writing = settled(writeInSlices(writer, chunk, (n) => {
      written += n;
      options.onProgress?.(written);
    }));
    sent = after;
  }
  await writing;
  return hash.digest("hex");
}

async function writeInSlices(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  chunk: Uint8Array,
  onWritten: (bytes: number) => void,
): Promise<void> {
  for (let offset = 0; offset < chunk.byteLength; offset += WRITE_SLICE) {
    const slice = chunk.subarray(offset, offset + WRITE_SLICE);
    await writeOrFail(writer, slice);
    onWritten(slice.byteLength);
  }
}

/** A {@linkcode ByteSource} over bytes already in memory, such as a listing. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  let offset = 0;
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      if (offset >= bytes.byteLength) return Promise.resolve(null);
      const n = Math.min(buffer.byteLength, bytes.byteLength - offset);
      buffer.set(bytes.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
  };
}

/**
 * Receives a payload of `size` bytes whose length field was already read, passing
 * each chunk to `sink`. Returns the SHA-256 (hex) of the bytes received. Throws
 * {@linkcode TransferError} if the connection ends early. Pipelined like
 * {@linkcode sendPayload}.
 */
export async function receivePayload(
  reader: FrameReader,
  size: number,
  sink: (chunk: Uint8Array) => Promise<void>,
  options: PayloadOptions = {},
): Promise<string> {
  const chunkSize = Math.max(1, Math.min(options.chunkSize ?? CHUNK_SIZE, size));
  const buffers = Array.from({ length: PIPELINE_DEPTH }, () => new ArrayBuffer(chunkSize));
  const hash = options.hash === false ? NO_HASH : await sha256Hasher();
  let received = 0;
  const readNext = (index: number, remaining: number) => {
    const slot = index % PIPELINE_DEPTH;
    const view = new Uint8Array(buffers[slot], 0, Math.min(chunkSize, remaining));
    return settled(
      reader.readInto(view).then((chunk) => {
        if (chunk) buffers[slot] = chunk.buffer as ArrayBuffer; // The read took the buffer over.
        return chunk;
      }),
    );
  };
  let reading = size > 0 ? readNext(0, size) : undefined;
  let writing: Promise<void> = Promise.resolve();
  for (let index = 0; received < size; index++) {
    const chunk = await reading!;
    if (chunk === null) {
      throw new TransferError(`Connection closed after ${received} of ${size} bytes`);
    }
    received += chunk.byteLength;
    reading = received < size ? readNext(index + 1, size - received) : undefined;
    hash.update(chunk);
    await writing;
    writing = settled(sink(chunk));
    options.onProgress?.(received);
  }
  await writing;
  return hash.digest("hex");
}

/** What a transfer that needs no digest hashes with: nothing. */
const NO_HASH = { update: (_chunk: Uint8Array) => {}, digest: (_encoding: "hex") => "" };

/**
 * A streaming SHA-256. WebCrypto can only hash a whole buffer, so this is
 * `node:crypto`, loaded on first use: it is a fifth of ferry's start-up time.
 */
async function sha256Hasher() {
  const { createHash } = await import("node:crypto");
  return createHash("sha256");
}

/**
 * Marks `promise` as handled, so that a failure while the loop awaits something else
 * is not an unhandled rejection; the loop still awaits it, and sees the failure then.
 */
function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** Writes `bytes`, turning a closed or reset connection into a {@linkcode TransferError}. */
export async function writeOrFail(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  bytes: Uint8Array,
): Promise<void> {
  try {
    await writer.write(bytes);
  } catch (error) {
    throw new TransferError(`Connection failed: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Turns off Nagle's algorithm: ferry writes small pieces back to back (a field, a
 * payload, a trailer), and Nagle would hold each behind the ACK of the one before.
 * Only an optimisation, so a failure (macOS refuses it on a socket the peer has
 * already reset) is ignored; the connection then fails on its own terms.
 */
export function noDelay(conn: Deno.TcpConn): void {
  try {
    conn.setNoDelay(true);
  } catch {
    // See above.
  }
}

/** Anything with a `close()`: connections, listeners, files. */
export interface Closable {
  close(): void;
}

/** Closes a resource that may already be closed by the peer or a shutdown. */
export function closeQuietly(resource: Closable): void {
  try {
    resource.close();
  } catch {
    // Already closed.
  }
}

/**
 * Waits, at most `ms`, for the peer to close `conn` (discarding whatever it still
 * sends), then closes it. Whichever side closes a TCP connection first keeps its port
 * in TIME_WAIT for a minute; leaving that to the client keeps the server's ports
 * free, and binding its next data listener fast (measured: 807 µs down to 42 µs).
 */
export async function closeAfterPeer(conn: Deno.Conn, ms: number): Promise<void> {
  const scratch = new Uint8Array(4096);
  const timer = setTimeout(() => closeQuietly(conn), ms);
  try {
    while ((await conn.read(scratch)) !== null) { /* discard */ }
  } catch {
    // Closed by the deadline, or reset by the peer: either way, done.
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}
