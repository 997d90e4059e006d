/**
 * Reading a session's next event off its control connection under two deadlines:
 * the wait for a command's first byte is bounded by the idle timeout, and once it
 * has started, the whole command (with an active dialect's port frame) must arrive
 * within the command timeout, so a peer trickling bytes cannot hold a session.
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import type { ServerConnection, ServerEvent } from "../protocol/server_connection.ts";
import { type Channel, TIMED_OUT } from "../transport/channel.ts";
import { seconds } from "../transport/deadline.ts";
import type { Limits } from "./limits.ts";

/** What {@linkcode readEvent} needs besides the connection. */
export interface ReadEventOptions {
  limits: Pick<Limits, "idleTimeout" | "commandTimeout">;
  /** Tells a client that is still there why it is being closed (errors ignored). */
  goodbye(reason: string): Promise<void>;
}

/**
 * Reads until `machine` has an event. When a deadline passes, says goodbye with the
 * reason and throws it as a {@linkcode TransferError}: the session is over.
 */
export async function readEvent(
  control: Channel,
  machine: ServerConnection,
  options: ReadEventOptions,
): Promise<Exclude<ServerEvent, { type: "need-data" }>> {
  const { idleTimeout, commandTimeout } = options.limits;
  let commandStarted: number | undefined;
  while (true) {
    const event = machine.next();
    if (event.type !== "need-data") return event;
    if (!event.idle) commandStarted ??= performance.now();
    const waited = commandStarted === undefined ? 0 : performance.now() - commandStarted;
    const chunk = await control.readWithin(
      event.idle ? idleTimeout : Math.max(0, commandTimeout - waited),
    );
    if (chunk === TIMED_OUT) {
      const reason = event.idle
        ? `Closed after ${seconds(idleTimeout)} without a command`
        : `Command not received within ${seconds(commandTimeout)}`;
      await options.goodbye(reason).catch(() => {});
      throw new TransferError(reason);
    }
    if (chunk === null) machine.receiveEnd();
    else machine.receive(chunk);
  }
}
