/**
 * `connect()`: open a control connection to a ferry (or any simple-FTP) server, and
 * get a {@linkcode Client} for it.
 *
 * @module
 */

import { ConnectError } from "../common/errors.ts";
import { describeError, formatAddress } from "../common/text.ts";
import type { Feature } from "../protocol/features.ts";
import type { Transport } from "../transport/connection.ts";
import { seconds, withDeadline } from "../transport/deadline.ts";
import { tcp } from "../transport/tcp.ts";
import { Client } from "./client.ts";
import { Control } from "./control.ts";

/** Options for {@linkcode connect}. */
export interface ConnectOptions {
  /** Server host name or address. Default `127.0.0.1`. */
  hostname?: string;
  /** Server control port. Default 2121. */
  port?: number;
  /**
   * Milliseconds to wait for the server to accept the connection, to answer a
   * command, or to move a byte during a transfer. Default 120 000.
   */
  timeout?: number;
  /** Gives up connecting when this aborts (Ctrl-C, say). */
  signal?: AbortSignal;
  /** How to reach the server. Default plain TCP. */
  transport?: Transport;
  /** The extensions to offer. Default {@linkcode CLIENT_FEATURES}. */
  features?: readonly Feature[];
}

/** Opens a control connection to a ferry (or any simple-FTP) server. */
export async function connect(options: ConnectOptions = {}): Promise<Client> {
  const address = { hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 2121 };
  const timeout = options.timeout ?? 120_000;
  const transport = options.transport ?? tcp;
  const giveUp = new AbortController();
  const abandon = () => giveUp.abort();
  options.signal?.addEventListener("abort", abandon, { once: true });
  if (options.signal?.aborted) abandon();
  try {
    const connection = await withDeadline(
      timeout,
      abandon,
      () => new ConnectError(`no answer within ${seconds(timeout)}`),
      () => transport.connect(address, { signal: giveUp.signal }),
    );
    const control = new Control(connection, timeout);
    return new Client(control, { transport, timeout, features: options.features });
  } catch (error) {
    throw new ConnectError(
      `Cannot connect to ${formatAddress(address)}: ${describeError(error)}`,
      { cause: error },
    );
  } finally {
    // Once connected, aborting `giveUp` would close the connection: let go of it.
    options.signal?.removeEventListener("abort", abandon);
  }
}
