/**
 * The data connection of one command, from the client's side: send the command,
 * open the connection its reply names, run the transfer over it under a watchdog,
 * and close it. A cancel signal (Ctrl-C at the prompt) closes only that connection:
 * the server reads it as the transfer's end and goes on to the next command, so the
 * control connection stays in step and the session goes on.
 *
 * @module
 */

import { CancelledError, TransferError } from "../common/errors.ts";
import { describeError, quote } from "../common/text.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import { encodeFrame } from "../protocol/field.ts";
import { Channel } from "../transport/channel.ts";
import type { Transport } from "../transport/connection.ts";
import { seconds, Watchdog } from "../transport/deadline.ts";
import type { Control } from "./control.ts";

/** How long a refused data connection is tried again (see {@linkcode openData}). */
const DATA_RETRY_MS = 3_000;

/** What {@linkcode runTransfer} needs besides the command. */
export interface DataTransferOptions {
  transport: Transport;
  /** Milliseconds with no byte moved after which the transfer fails. */
  timeout: number;
  /** The user's cancel: the transfer ends with {@linkcode CancelledError}. */
  cancel?: AbortSignal;
  /** The session's end (`Client.close()`): the transfer ends, failing its own way. */
  closing: AbortSignal;
}

/** Runs `use` over the data connection of `command`, and returns what it returns. */
export async function runTransfer<V extends Verb, T>(
  control: Control,
  command: CommandOf<V>,
  use: (data: Channel, watchdog: Watchdog) => Promise<T>,
  options: DataTransferOptions,
): Promise<T> {
  const { cancel, closing, timeout } = options;
  const what = "name" in command ? `${command.verb} ${quote(command.name)}` : command.verb;
  const cancelled = () => new CancelledError(`${what} cancelled: nothing of it was kept`);
  if (cancel?.aborted) throw cancelled();
  const answer = await control.request(command);
  if (answer.type !== "port") throw new TransferError("The server answered without a port");
  try {
    const data = await openData(control, answer.port, options);
    const end = () => data.close();
    cancel?.addEventListener("abort", end, { once: true });
    closing.addEventListener("abort", end, { once: true });
    try {
      // Either may have come while the connection was being opened, and missed it.
      if (closing.aborted || control.closed) {
        throw new TransferError("The connection to the server is closed");
      }
      if (cancel?.aborted) throw cancelled();
      // A secure server admits a data connection by the ticket it sent with the port.
      if (answer.ticket !== undefined) await data.write(encodeFrame(answer.ticket));
      const watchdog = new Watchdog(timeout, end);
      return await watchdog.guard(
        () => use(data, watchdog),
        () => new TransferError(`The server stalled: nothing moved for ${seconds(timeout)}`),
      );
    } catch (error) {
      // Closing the data connection makes the transfer fail its own way: say why.
      throw cancel?.aborted && !closing.aborted ? cancelled() : error;
    } finally {
      cancel?.removeEventListener("abort", end);
      closing.removeEventListener("abort", end);
      data.close();
    }
  } finally {
    control.endTransfer();
  }
}

/**
 * Connects to the data port, on the host the control connection reached. Many
 * course servers send the port before they listen on it, so a refused connection
 * is tried again for a few seconds; a correct server never sees the difference.
 */
async function openData(
  control: Control,
  port: number,
  { transport, closing }: DataTransferOptions,
): Promise<Channel> {
  const hostname = control.remoteAddr.hostname;
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
      const retry = error instanceof Deno.errors.ConnectionRefused && !closing.aborted &&
        !control.closed && performance.now() + wait < giveUp;
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
