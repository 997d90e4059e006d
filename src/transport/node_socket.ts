/**
 * A `node:net` or `node:tls` socket as a {@linkcode Connection}: Web Streams over its
 * events. The readable is a byte stream that copies what the socket delivered
 * straight into the reader's own buffer, so a chunk costs one copy and no
 * allocation of ours (a payload read fills a 1 MiB buffer from sixteen 64 KiB
 * chunks). While more than {@linkcode HIGH_WATER} bytes wait unread, the socket is
 * paused, so a slow reader holds the sender back.
 *
 * @module
 */

import type { Socket } from "node:net";
import type { Connection, NetAddress } from "./connection.ts";

/** Bytes received but not read yet beyond which the socket stops reading. */
const HIGH_WATER = 1 << 20;

/** What a default (not BYOB) reader gets at most per read. */
const DEFAULT_READ_SIZE = 64 << 10;

/** A connected socket as a {@linkcode Connection}. */
export class NodeConnection implements Connection {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  #socket: Socket;

  constructor(socket: Socket) {
    this.#socket = socket;
    this.readable = new ReadableStream(new SocketSource(socket));
    this.writable = new WritableStream({
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          socket.write(chunk, (error?: Error | null) => error ? reject(error) : resolve());
        }),
    });
  }

  get localAddr(): NetAddress {
    return { hostname: this.#socket.localAddress ?? "", port: this.#socket.localPort ?? 0 };
  }

  get remoteAddr(): NetAddress {
    return { hostname: this.#socket.remoteAddress ?? "", port: this.#socket.remotePort ?? 0 };
  }

  closeWrite(): Promise<void> {
    return new Promise((resolve) => this.#socket.end(() => resolve()));
  }

  close(): void {
    if (this.#socket.destroyed) throw new Deno.errors.BadResource("the connection is closed");
    this.#socket.destroy();
  }
}

/**
 * The socket's chunks, kept as they came until a read copies them out; a read waits
 * only when nothing is there.
 */
class SocketSource implements UnderlyingByteSource {
  readonly type = "bytes";
  readonly autoAllocateChunkSize = DEFAULT_READ_SIZE;
  #socket: Socket;
  #chunks: Uint8Array[] = [];
  /** How much of `#chunks[0]` has been read already. */
  #offset = 0;
  #waiting = 0;
  #paused = false;
  #ended = false;
  #failure: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  start(): void {
    const socket = this.#socket;
    const wake = () => {
      this.#wake?.();
      this.#wake = undefined;
    };
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#waiting += chunk.byteLength;
      if (this.#waiting >= HIGH_WATER && !this.#paused) {
        this.#paused = true;
        socket.pause();
      }
      wake();
    });
    socket.once("end", () => {
      this.#ended = true;
      wake();
    });
    socket.once("error", (error: Error) => {
      this.#failure ??= { error };
      wake();
    });
    socket.once("close", () => {
      if (!this.#ended) this.#failure ??= { error: new Error("the connection was closed") };
      wake();
    });
  }

  async pull(controller: ReadableByteStreamController): Promise<void> {
    while (this.#waiting === 0 && !this.#ended && !this.#failure) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const request = controller.byobRequest;
    if (!request) return; // Cancelled meanwhile.
    if (this.#waiting > 0) {
      request.respond(this.#copyInto(request.view as Uint8Array));
      if (this.#paused && this.#waiting < HIGH_WATER) {
        this.#paused = false;
        this.#socket.resume();
      }
    } else if (this.#failure) {
      controller.error(this.#failure.error);
    } else {
      controller.close();
      request.respond(0);
    }
  }

  cancel(): void {
    this.#socket.destroy();
  }

  /** Moves as much as fits from the chunks into `view`; returns how much. */
  #copyInto(view: Uint8Array): number {
    let filled = 0;
    while (filled < view.byteLength && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const n = Math.min(chunk.byteLength - this.#offset, view.byteLength - filled);
      view.set(chunk.subarray(this.#offset, this.#offset + n), filled);
      filled += n;
      this.#offset += n;
      if (this.#offset === chunk.byteLength) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    this.#waiting -= filled;
    return filled;
  }
}
