/**
 * Sending a command that needs a data connection, and opening that connection the
 * way the dialect says (PROTOCOL.md §3, §15): connect to the port the server
 * answers with (passive, a refused port tried again for 3 s), or listen on this side
 * of the control connection and let the server connect (active). Either way every
 * wait ends within the timeout, and at once when the session is closed (Ctrl-C).
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import { describeError } from "../common/text.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import { type Dialect, isActive } from "../protocol/dialects.ts";
import { Channel, settled } from "../transport/channel.ts";
import type { Transport } from "../transport/connection.ts";
import { connectData } from "../transport/data_connect.ts";
import { DataListener } from "../transport/data_listener.ts";
import { seconds, withDeadline } from "../transport/deadline.ts";
import type { Control } from "./control.ts";

/** What opening a data connection needs. */
export interface DataSettings {
  transport: Transport;
  dialect: Dialect;
  /**
   * Milliseconds for opening the connection: a passive client's whole attempt
   * (retries and TLS handshake included), an active client's wait for the server.
   */
  timeout: number;
  /** Ends a connection attempt (and its retries) at once when the client is closed. */
  signal: AbortSignal;
}

/** An open data connection, and the ticket to show on it first (secure mode). */
export interface OpenedData {
  channel: Channel;
  ticket?: string;
}

/**
 * Sends `command` and opens its data connection. On success the control connection
 * is transferring (end it with `endTransfer()`); a refusal throws as `request()` does.
 */
export function openDataFor<V extends Verb>(
  control: Control,
  command: CommandOf<V>,
  settings: DataSettings,
): Promise<OpenedData> {
  return isActive(settings.dialect)
    ? acceptFromServer(control, command, settings)
    : connectToServer(control, command, settings);
}

async function connectToServer<V extends Verb>(
  control: Control,
  command: CommandOf<V>,
  settings: DataSettings,
): Promise<OpenedData> {
  const answer = await control.request(command);
  if (answer.type !== "port") throw new TransferError("The server answered without a port");
  const { port, ticket } = answer;
  try {
    // The host the control connection reached, never a new name lookup.
    const hostname = control.remoteAddr.hostname;
    return { channel: await openDataConnection(port, { ...settings, hostname }), ticket };
  } catch (error) {
    control.endTransfer();
    throw error;
  }
}

/** Options for {@linkcode openDataConnection}. */
export interface OpenDataOptions extends Pick<DataSettings, "transport" | "timeout" | "signal"> {
  /** The control connection's remote host: the data connection goes there too. */
  hostname: string;
}

/**
 * Connects to the server's data `port`; throws {@linkcode TransferError} when that
 * cannot be done within the timeout, or once the session is closed.
 */
export async function openDataConnection(port: number, options: OpenDataOptions): Promise<Channel> {
  const { transport, hostname, timeout, signal } = options;
  const giveUp = new AbortController();
  const stop = () => giveUp.abort();
  signal.addEventListener("abort", stop, { once: true });
  if (signal.aborted) stop();
  const cannot = `Cannot open the data connection to port ${port}`;
  try {
    return await withDeadline(
      timeout,
      stop,
      () => new TransferError(`${cannot}: no answer within ${seconds(timeout)}`),
      async () => {
        try {
          const address = { hostname, port };
          return new Channel(await connectData(transport, address, { signal: giveUp.signal }));
        } catch (error) {
          if (signal.aborted) {
            throw new TransferError("The connection to the server is closed", { cause: error });
          }
          throw new TransferError(`${cannot}: ${describeError(error)}`, { cause: error });
        }
      },
    );
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

/**
 * Listens on the control connection's local address (port 0), sends the command with
 * that port, and takes the server's connection: only from the server's address.
 */
async function acceptFromServer<V extends Verb>(
  control: Control,
  command: CommandOf<V>,
  { transport, timeout, signal }: DataSettings,
): Promise<OpenedData> {
  const listener = DataListener.open(transport, {
    hostname: control.localAddr.hostname,
    peer: control.remoteAddr.hostname,
    acceptTimeout: timeout,
  });
  // Handled at once: a refusal closes the listener, and this rejects unawaited.
  const accepted = settled(listener.accept());
  const stop = () => listener.close();
  signal.addEventListener("abort", stop, { once: true });
  try {
    const answer = await control.request(command, { port: listener.port, accepted });
    if (answer.type !== "connected") {
      throw new TransferError("The server answered without connecting to the data port");
    }
    return { channel: answer.channel };
  } finally {
    signal.removeEventListener("abort", stop);
    listener.close();
    // The port is gone only once the pending accept has ended too: after a refusal,
    // nothing may connect to it any more.
    await accepted.catch(() => {});
  }
}
