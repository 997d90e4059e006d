/**
 * Sending a command that needs a data connection, and opening that connection the
 * way the dialect says (PROTOCOL.md §3, §15): connect to the port the server
 * answers with (passive), or listen on this side of the control connection and let
 * the server connect (active).
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
import type { Control } from "./control.ts";

/** What opening a data connection needs. */
export interface DataSettings {
  transport: Transport;
  dialect: Dialect;
  /** Milliseconds an active client waits for the server to connect. */
  timeout: number;
  /** Ends a connection attempt (and its retries) when the client is closed. */
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
  { transport, signal }: DataSettings,
): Promise<OpenedData> {
  const answer = await control.request(command);
  if (answer.type !== "port") throw new TransferError("The server answered without a port");
  const { port, ticket } = answer;
  try {
    // The host the control connection reached, never a new name lookup.
    const address = { hostname: control.remoteAddr.hostname, port };
    return { channel: new Channel(await connectData(transport, address, { signal })), ticket };
  } catch (error) {
    control.endTransfer();
    throw new TransferError(
      `Cannot open the data connection to port ${port}: ${describeError(error)}`,
      { cause: error },
    );
  }
}

/**
 * Listens on the control connection's local address (port 0), sends the command with
 * that port, and takes the server's connection: only from the server's address.
 */
async function acceptFromServer<V extends Verb>(
  control: Control,
  command: CommandOf<V>,
  { transport, timeout }: DataSettings,
): Promise<OpenedData> {
  const listener = DataListener.open(transport, {
    hostname: control.localAddr.hostname,
    peer: control.remoteAddr.hostname,
    acceptTimeout: timeout,
  });
  // Handled at once: a refusal closes the listener, and this rejects unawaited.
  const accepted = settled(listener.accept());
  try {
    const answer = await control.request(command, { port: listener.port, accepted });
    if (answer.type !== "connected") {
      throw new TransferError("The server answered without connecting to the data port");
    }
    return { channel: answer.channel };
  } finally {
    listener.close();
    // The port is gone only once the pending accept has ended too: after a refusal,
    // nothing may connect to it any more.
    await accepted.catch(() => {});
  }
}
