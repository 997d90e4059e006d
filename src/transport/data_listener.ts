/**
 * The server's one-shot data listener: an OS-chosen port that admits exactly one
 * connection, from the control connection's peer, before a deadline. A connection
 * from any other address, or one that fails `admit` (a wrong ticket), is closed and
 * reported, and the listener keeps waiting for the real one (PROTOCOL.md §7.4).
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import { Channel } from "./channel.ts";
import type { Connection, Listener, NetAddress, Transport } from "./connection.ts";
import { closeQuietly } from "./connection.ts";
import { seconds } from "./deadline.ts";

/** Options for {@linkcode DataListener.open}. */
export interface DataListenerOptions {
  /** Local address to bind: the control connection's local address. */
  hostname: string;
  /** The only remote address allowed to connect: the control connection's peer. */
  peer: string;
  /** Milliseconds to wait for the peer to connect. Default 30 000. */
  acceptTimeout?: number;
  /**
   * Checks a connection from the peer's address (reads its ticket, say); `false`
   * turns it away. Connections are checked at once, so a silent one holds up no other.
   * Default: every one is admitted.
   */
  admit?: (channel: Channel) => Promise<boolean>;
  /** Called for each connection turned away: from another address, or not admitted. */
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
   * Waits for the peer's admitted connection and closes the listener. Throws
   * {@linkcode TransferError} when the deadline passes first.
   */
  async accept(): Promise<Channel> {
    const timeout = this.#options.acceptTimeout ?? 30_000;
    const admit = this.#options.admit ?? (() => Promise.resolve(true));
    const pending = new Set<Channel>();
    let loop: Promise<void> = Promise.resolve();
    const outcome = new Promise<Channel>((resolve, reject) => {
      let done = false;
      const finish = (error: Error | undefined, channel?: Channel) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.close();
        for (const other of pending) if (other !== channel) other.close();
        if (channel) resolve(channel);
        else reject(error);
      };
      const timer = setTimeout(
        () => finish(new TransferError(`No data connection arrived within ${seconds(timeout)}`)),
        timeout,
      );
      const turnAway = (connection: Connection | Channel) => {
        this.#options.onIntruder?.(connection.remoteAddr);
        if (connection instanceof Channel) connection.close();
        else closeQuietly(connection);
      };
      const check = (channel: Channel) => {
        pending.add(channel);
        admit(channel).then((ok) => ok, () => false).then((ok) => {
          pending.delete(channel);
          if (ok && !done) finish(undefined, channel);
          else if (!done) turnAway(channel);
          else channel.close();
        });
      };
      loop = (async () => {
        while (!done) {
          const connection = await this.#listener.accept();
          if (done) closeQuietly(connection);
          else if (connection.remoteAddr.hostname !== this.#options.peer) turnAway(connection);
          else check(new Channel(connection));
        }
      })().catch((error) => finish(error instanceof Error ? error : new Error(String(error))));
    });
    try {
      return await outcome;
    } finally {
      // The listener is closed; once its pending accept has ended too, the port is gone.
      await loop;
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
