/**
 * A peer that speaks bytes, not ferry: for playing a hostile client, a scripted
 * base-protocol server, or a broken one. Built on the real codec
 * (`src/protocol/frames.ts`), so frames in tests stay right when the wire changes.
 *
 * @module
 */

import { TransferError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { END, NEED_DATA, takeFrame } from "../../src/protocol/frames.ts";
import { ReceiveBuffer } from "../../src/protocol/receive_buffer.ts";
import { Channel, TIMED_OUT } from "../../src/transport/channel.ts";
import type { Connection } from "../../src/transport/connection.ts";
import { TcpConnection } from "../../src/transport/tcp.ts";

/** Reads exact lengths and frames from a connection, as a test peer needs them. */
export class PeerReader {
  #channel: Channel;
  #buffer = new ReceiveBuffer();

  constructor(channel: Channel) {
    this.#channel = channel;
  }

  /** Exactly `n` bytes; `null` if the stream ended before the first. */
  async readExact(n: number): Promise<Uint8Array | null> {
    while (this.#buffer.length < n) {
      if (!(await this.#fill())) {
        if (this.#buffer.length === 0) return null;
        throw new TransferError(`Connection closed after ${this.#buffer.length} of ${n} bytes`);
      }
    }
    return this.#buffer.take(n)!;
  }

  /** One 10-byte field; `null` at end of stream. */
  readField(): Promise<Uint8Array | null> {
    return this.readExact(10);
  }

  /** One whole frame of at most `limit` bytes; `null` at end of stream. */
  async readFrame(limit: number): Promise<Uint8Array | null> {
    while (true) {
      const frame = takeFrame(this.#buffer, limit);
      if (frame === END) return null;
      if (frame !== NEED_DATA) return frame;
      await this.#fill();
    }
  }

  /** Whatever comes next, at most `max` bytes; `null` at end of stream. */
  async readChunk(max: number): Promise<Uint8Array | null> {
    if (this.#buffer.length === 0 && !(await this.#fill())) return null;
    return this.#buffer.takeUpTo(max);
  }

  /**
   * Whether the peer closes (or resets) the connection within `ms`, discarding what
   * it still sends. `false` if it is still open by then.
   */
  async closesWithin(ms: number): Promise<boolean> {
    this.#buffer.takeUpTo(this.#buffer.length);
    const deadline = performance.now() + ms;
    while (performance.now() < deadline) {
      let chunk;
      try {
        chunk = await this.#channel.readWithin(deadline - performance.now());
      } catch {
        return true; // A reset is a close too.
      }
      if (chunk === null) return true;
      if (chunk === TIMED_OUT) return false;
    }
    return false;
  }

  async #fill(): Promise<boolean> {
    if (this.#buffer.ended) return false;
    const chunk = await this.#channel.read();
    if (chunk === null) {
      this.#buffer.receiveEnd();
      return false;
    }
    this.#buffer.receive(chunk);
    return true;
  }
}

/** One connection of a test peer: a reader, raw sends, and a close. */
export class Peer implements Disposable {
  readonly channel: Channel;
  readonly reader: PeerReader;

  constructor(connection: Connection | Deno.TcpConn) {
    // A raw Deno.TcpConn (it has setNoDelay) gets the same wrapper ferry uses.
    this.channel = new Channel(
      "setNoDelay" in connection ? new TcpConnection(connection) : connection,
    );
    this.reader = new PeerReader(this.channel);
  }

  /** Connects to `port` on 127.0.0.1. */
  static async connect(port: number, hostname = "127.0.0.1"): Promise<Peer> {
    return new Peer(await Deno.connect({ hostname, port }));
  }

  /** Sends raw bytes (or strings as UTF-8), all in one write. */
  async send(...parts: (Uint8Array | string)[]): Promise<void> {
    await this.channel.write(concat(...parts));
  }

  /** Sends one frame holding `text`. */
  async sendFrame(text: string | Uint8Array): Promise<void> {
    await this.channel.write(encodeFrame(text));
  }

  close(): void {
    this.channel.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
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

/**
 * A file framed the way the course handout's `sendfile` does it: one 10-byte header
 * per 64 KiB piece, then (with `terminator`) an empty frame.
 */
export function handoutFrames(bytes: Uint8Array, terminator = false): Uint8Array {
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += 65536) {
    frames.push(encodeFrame(bytes.subarray(offset, offset + 65536)));
  }
  if (terminator) frames.push(encodeField(0));
  return concat(...frames);
}
