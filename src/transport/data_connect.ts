/**
 * Opening a data connection to a peer that listens for it: the passive client
 * connecting to the server's port, and an active server connecting to the client's.
 * Many course implementations announce a port before they listen on it, so a refused
 * connection is tried again for a few seconds; a correct peer never sees the
 * difference.
 *
 * @module
 */

import type { Connection, NetAddress, Transport } from "./connection.ts";
import { pause } from "./deadline.ts";

/** How long a refused data connection is tried again, by default. */
export const DATA_RETRY_MS = 3_000;

/** Options for {@linkcode connectData}. */
export interface DataConnectOptions {
  /** Milliseconds to keep trying a refused connection. Default {@linkcode DATA_RETRY_MS}. */
  retryFor?: number;
  /** Gives up, at once or between tries, when this aborts. */
  signal?: AbortSignal;
}

/**
 * Connects to `address`, trying again while it is refused (waiting 10 ms, then twice
 * as long each time, at most 500 ms) until `retryFor` has passed. Throws the last
 * failure as it came, for the caller to put in its own words.
 */
export async function connectData(
  transport: Transport,
  address: NetAddress,
  options: DataConnectOptions = {},
): Promise<Connection> {
  const giveUp = performance.now() + (options.retryFor ?? DATA_RETRY_MS);
  for (let attempt = 0;; attempt++) {
    try {
      return notLoopedBack(await transport.connect(address, { signal: options.signal }));
    } catch (error) {
      const wait = Math.min(10 * 2 ** attempt, 500);
      const retry = error instanceof Deno.errors.ConnectionRefused && !options.signal?.aborted &&
        performance.now() + wait < giveUp;
      if (!retry) throw error;
      await pause(wait, options.signal);
    }
  }
}

/**
 * TCP "simultaneous open": with the peer's port already closed, the OS can pick that
 * very port for this side and connect the socket to itself.
 */
function notLoopedBack(connection: Connection): Connection {
  const { localAddr, remoteAddr } = connection;
  if (localAddr.port === remoteAddr.port && localAddr.hostname === remoteAddr.hostname) {
    connection.close();
    throw new Error("the port was closed, and the connection looped back to itself");
  }
  return connection;
}
