/**
 * Plain TCP as a {@linkcode Transport}: `Deno.listen` and `Deno.connect`, with
 * Nagle's algorithm off and a readable that leaves the socket open at end of stream.
 *
 * @module
 */

import {
  type Connection,
  type ConnectOptions,
  type Listener,
  type NetAddress,
  type Transport,
  unmapped,
} from "./connection.ts";

/** Plain TCP: the classic protocol's transport. */
export const tcp: Transport = {
  listen(address: NetAddress): Listener {
    return new TcpListener(Deno.listen({ hostname: address.hostname, port: address.port }));
  },
  async connect(address: NetAddress, options: ConnectOptions = {}): Promise<Connection> {
    const conn = await Deno.connect({ ...address, signal: options.signal });
    return new TcpConnection(conn);
  },
};

class TcpListener implements Listener {
  #listener: Deno.TcpListener;

  constructor(listener: Deno.TcpListener) {
    this.#listener = listener;
  }

  get addr(): NetAddress {
    return this.#listener.addr;
  }

  async accept(): Promise<Connection> {
    return new TcpConnection(await this.#listener.accept());
  }

  close(): void {
    this.#listener.close();
  }
}

/** A `Deno.TcpConn` as a {@linkcode Connection}. */
export class TcpConnection implements Connection {
  readonly readable: ReadableStream<Uint8Array>;
  #conn: Deno.TcpConn;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    noDelay(conn);
    this.readable = readableOf(conn);
  }

  get writable(): WritableStream<Uint8Array> {
    return this.#conn.writable;
  }

  get localAddr(): NetAddress {
    return unmapped(this.#conn.localAddr);
  }

  get remoteAddr(): NetAddress {
    return unmapped(this.#conn.remoteAddr);
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  close(): void {
    this.#conn.close();
  }
}

/**
 * A byte stream over `conn.read()`. Deno's own `conn.readable` closes the socket when
 * it reaches the end of the stream, which would make it impossible to answer a peer
 * that half-closed (a client that sends a file, then its end of stream, then waits
 * for the status).
 */
export function readableOf(
  conn: { read(view: Uint8Array): Promise<number | null> },
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 64 << 10,
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view!;
      const n = await conn.read(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      if (n === null) {
        controller.close();
        request.respond(0);
      } else {
        request.respond(n);
      }
    },
  });
}

/**
 * Turns off Nagle's algorithm: ferry writes small pieces back to back (a field, a
 * payload, a trailer), and Nagle would hold each behind the ACK of the one before.
 * Only an optimisation, so a failure (macOS refuses it on a socket the peer has
 * already reset) is ignored; the connection then fails on its own terms.
 */
function noDelay(conn: Deno.TcpConn): void {
  try {
    conn.setNoDelay(true);
  } catch {
    // See above.
  }
}
