/**
 * Listening on every interface of both families. Where the system allows it (Linux,
 * macOS and Windows by default), one socket on `::` takes IPv4 connections too; where
 * it does not (`net.ipv6.bindv6only=1`, a BSD), a second listener on `0.0.0.0` and
 * the same port takes them. Where there is no IPv6 at all, `0.0.0.0` alone.
 *
 * @module
 */

import { closeQuietly, type Connection, type Listener, type Transport } from "./connection.ts";

/** Listens on `port` (0: a free one) on all interfaces, IPv6 and IPv4. */
export function listenEverywhere(transport: Transport, port: number): Listener {
  let v6: Listener;
  try {
    v6 = transport.listen({ hostname: "::", port });
  } catch (error) {
    // No IPv6 on this machine: IPv4 alone. Any other failure (the port is taken) is real.
    if (error instanceof Deno.errors.AddrInUse || error instanceof Deno.errors.PermissionDenied) {
      throw error;
    }
    return transport.listen({ hostname: "0.0.0.0", port });
  }
  try {
    // Succeeds only where the `::` socket is IPv6-only: then IPv4 needs its own.
    const v4 = transport.listen({ hostname: "0.0.0.0", port: v6.addr.port });
    return new JointListener(v6, v4);
  } catch {
    return v6; // Taken: by the dual-stack socket itself.
  }
}

/** Two listeners as one: `accept()` returns whichever connection comes first. */
class JointListener implements Listener {
  #listeners: Listener[];
  /** An accept under way on each listener, kept across calls so none is lost. */
  #pending: (Promise<{ connection: Connection; index: number }> | undefined)[];

  constructor(...listeners: Listener[]) {
    this.#listeners = listeners;
    this.#pending = listeners.map(() => undefined);
  }

  get addr() {
    return this.#listeners[0].addr;
  }

  accept(): Promise<Connection> {
    const waits = this.#listeners.map((listener, index) =>
      this.#pending[index] ??= listener.accept().then(
        (connection) => ({ connection, index }),
        (error) => {
          this.#pending[index] = undefined; // The next call tries again (out of descriptors, say).
          throw error;
        },
      )
    );
    return Promise.race(waits).then(({ connection, index }) => {
      this.#pending[index] = undefined;
      return connection;
    });
  }

  close(): void {
    for (const listener of this.#listeners) closeQuietly(listener);
    // The accepts under way now fail; nobody waits for them any more.
    for (const pending of this.#pending) pending?.catch(() => {});
  }
}
