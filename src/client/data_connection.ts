/**
 * Opening a data connection, as the client: to the port a reply named, on the host
 * the control connection reached, within the timeout, and given up at once when the
 * session is closed (Ctrl-C). Many course servers send the port before they listen on
 * it, so a refused connection is tried again for a few seconds; a correct server never
 * sees the difference.
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import { describeError } from "../common/text.ts";
import { Channel } from "../transport/channel.ts";
import type { Transport } from "../transport/connection.ts";
import { pause, seconds, withDeadline } from "../transport/deadline.ts";

/** How long a refused data connection is tried again. */
const DATA_RETRY_MS = 3_000;

/** Options for {@linkcode openDataConnection}. */
export interface OpenDataOptions {
  transport: Transport;
  /** The control connection's remote host: the data connection goes there too. */
  hostname: string;
  /** Milliseconds for the whole attempt, retries and TLS handshake included. */
  timeout: number;
  /** Aborts when the session is closed: the attempt ends at once. */
  signal: AbortSignal;
}

/** Connects to `port`; throws {@linkcode TransferError} when that cannot be done in time. */
export async function openDataConnection(port: number, options: OpenDataOptions): Promise<Channel> {
  const giveUp = new AbortController();
  const stop = () => giveUp.abort();
  options.signal.addEventListener("abort", stop, { once: true });
  if (options.signal.aborted) stop();
  try {
    return await withDeadline(
      options.timeout,
      stop,
      () =>
        new TransferError(
          `Cannot open the data connection to port ${port}: no answer within ${
            seconds(options.timeout)
          }`,
        ),
      () => connectWithRetries(port, options, giveUp.signal),
    );
  } finally {
    options.signal.removeEventListener("abort", stop);
  }
}

async function connectWithRetries(
  port: number,
  { transport, hostname }: OpenDataOptions,
  signal: AbortSignal,
): Promise<Channel> {
  const giveUp = performance.now() + DATA_RETRY_MS;
  for (let attempt = 0;; attempt++) {
    try {
      signal.throwIfAborted();
      const connection = await transport.connect({ hostname, port }, { signal });
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
      const retry = error instanceof Deno.errors.ConnectionRefused && !signal.aborted &&
        performance.now() + wait < giveUp;
      if (signal.aborted) {
        throw new TransferError("The connection to the server is closed", { cause: error });
      }
      if (!retry) {
        throw new TransferError(
          `Cannot open the data connection to port ${port}: ${describeError(error)}`,
          { cause: error },
        );
      }
      await pause(wait, signal);
    }
  }
}
