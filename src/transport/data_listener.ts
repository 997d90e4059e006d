/**
 * The server's one-shot data listener: an OS-chosen port that admits exactly one
 * connection, from the control connection's peer, before a deadline. Connections from
 * any other address are closed unread (PROTOCOL.md §7.4).
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import type { Connection, Listener, NetAddress, Transport } from "./connection.ts";
import { seconds, withDeadline } from "./deadline.ts";

/** Options for {@linkcode DataListener.open}. */
export interface DataListenerOptions {
  /** Local address to bind: the control connection's local address. */
  hostname: string;
  /** The only remote address allowed to connect: the control connection's peer. */
  peer: string;
  /** Milliseconds to wait for the peer to connect. Default 30 000. */
  acceptTimeout?: number;
  /** Called for each connection refused because it came from another address. */
  onIntruder?: (address: NetAddress) => void;
}

/** A listener that hands out one connection, from one peer, before a deadline. */
export class DataListener implements Disposable {
  #listener: Listener;
  #options: DataListenerOptions;
  #closed = false;

  private constructor(listener: Listener, options: DataListenerOptions) {
    this.#listener = listener;
    this.#options = options;
  }

  /** Starts listening; the port is known, and connectable, as soon as this returns. */
  static open(transport: Transport, options: DataListenerOptions): DataListener {
    return new DataListener(transport.listen({ hostname: options.hostname, port: 0 }), options);
  }

  /** The port the OS chose. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /**
   * Waits for the peer's connection and closes the listener. Throws
   * {@linkcode TransferError} when the deadline passes first.
   */
  async accept(): Promise<Connection> {
    const timeout = this.#options.acceptTimeout ?? 30_000;
    try {
      return await withDeadline(
        timeout,
        () => this.close(),
        () => new TransferError(`No data connection arrived within ${seconds(timeout)}`),
        async () => {
          while (true) {
            const conn = await this.#listener.accept();
            if (conn.remoteAddr.hostname === this.#options.peer) return conn;
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
