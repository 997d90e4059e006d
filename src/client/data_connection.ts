/**
 * Opening a command's data connection, on the host the control connection reached.
 * Many course servers send the port before they listen on it, so a refused connection
 * is tried again for a few seconds; a correct server never sees the difference.
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import { describeError } from "../common/text.ts";
import { Channel } from "../transport/channel.ts";
import type { Transport } from "../transport/connection.ts";

/** How long a refused data connection is tried again. */
const DATA_RETRY_MS = 3_000;

/** Where to connect, and how to tell that the session was closed meanwhile. */
export interface DataTarget {
  transport: Transport;
  hostname: string;
  port: number;
  /** Whether the session has been closed (no point trying again then). */
  closed(): boolean;
}

/** Connects to the data port, retrying a refused connection for up to 3 s. */
export async function openDataConnection(target: DataTarget): Promise<Channel> {
  const { transport, hostname, port } = target;
  const giveUp = performance.now() + DATA_RETRY_MS;
  for (let attempt = 0;; attempt++) {
    try {
      const connection = await transport.connect({ hostname, port });
      const { localAddr, remoteAddr } = connection;
      if (localAddr.port === remoteAddr.port && localAddr.hostname === remoteAddr.hostname) {
        // TCP "simultaneous open": with the server's port already closed, the OS can
        // pick that very port for us and connect the socket to itself.
        connection.close();
        throw new Error("the port was closed, and the connection looped back to itself");
      }
      return new Channel(connection);
    } catch (error) {
      const wait = Math.min(10 * 2 ** attempt, 500);
      const retry = error instanceof Deno.errors.ConnectionRefused && !target.closed() &&
        performance.now() + wait < giveUp;
      if (!retry) {
        throw new TransferError(
          `Cannot open the data connection to port ${port}: ${describeError(error)}`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
