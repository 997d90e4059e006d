/**
 * Waiting for a session's next command: the wait for its first byte is bounded by the
 * idle timeout, and once it has started the whole command (with an active dialect's
 * port frame) must arrive within the command timeout, so a peer trickling bytes
 * cannot hold a session. A session asked to
 * stop (to give way to a newcomer, or at shutdown) stops at once while it waits idle,
 * and otherwise before it reads the next command. Each way to end says why to a client
 * that is still there, with a goodbye (PROTOCOL.md §7.1a).
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import type { ServerConnection, ServerEvent } from "../protocol/server_connection.ts";
import { type Channel, TIMED_OUT } from "../transport/channel.ts";
import { seconds } from "../transport/deadline.ts";
import type { SessionSlot } from "./admission.ts";
import type { Limits } from "./limits.ts";

/** A control connection's event, other than "need data". */
export type CommandEvent = Exclude<ServerEvent, { type: "need-data" }>;

/** What the reader needs of its session. */
export interface CommandReaderOptions {
  control: Channel;
  machine: ServerConnection;
  limits: Pick<Limits, "idleTimeout" | "commandTimeout">;
  /** The session's place on the server, marked idle while it waits for a command. */
  slot?: SessionSlot;
  /** Writes on the control connection (bounded), for the goodbye. */
  send(bytes: Uint8Array): Promise<void>;
}

const STOP: unique symbol = Symbol("stop");

/** The server ended the session (a deadline, a stop), after telling the client why. */
export class SessionClosed extends TransferError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SessionClosed";
  }
}

/** Reads commands for one session; see the module doc. */
export class CommandReader {
  #options: CommandReaderOptions;
  /** When the command now arriving began to arrive (its deadline runs from there). */
  #commandStarted: number | undefined;
  #stopReason: string | undefined;
  #wake: () => void = () => {};
  #stopped = new Promise<typeof STOP>((resolve) => this.#wake = () => resolve(STOP));

  constructor(options: CommandReaderOptions) {
    this.#options = options;
    options.slot?.onStop((reason) => this.stop(reason));
  }

  /** Asks the session to stop: now if it waits idle, else before its next command. */
  stop(reason: string): void {
    this.#stopReason ??= reason;
    this.#wake();
  }

  /**
   * The next event. Throws {@linkcode SessionClosed} with the reason, after a goodbye,
   * when a deadline passes or the session is asked to stop.
   */
  async next(): Promise<CommandEvent> {
    const { control, machine, limits, slot } = this.#options;
    while (true) {
      const event = machine.next();
      if (event.type !== "need-data") {
        this.#commandStarted = undefined;
        slot?.busy();
        return event;
      }
      if (event.idle) {
        if (this.#stopReason !== undefined) return await this.#goodbye(this.#stopReason);
        slot?.idle();
      } else {
        slot?.busy();
        this.#commandStarted ??= performance.now();
      }
      const waited = this.#commandStarted === undefined
        ? 0
        : performance.now() - this.#commandStarted;
      const reading = control.readWithin(
        event.idle ? limits.idleTimeout : Math.max(0, limits.commandTimeout - waited),
      );
      // Only an idle wait is cut short: a command that has begun is read to its end.
      const chunk = event.idle ? await Promise.race([reading, this.#stopped]) : await reading;
      if (chunk === STOP) return await this.#goodbye(this.#stopReason!);
      if (chunk === TIMED_OUT) {
        return await this.#goodbye(
          event.idle
            ? `Closed after ${seconds(limits.idleTimeout)} without a command`
            : `Command not received within ${seconds(limits.commandTimeout)}`,
        );
      }
      if (chunk === null) machine.receiveEnd();
      else machine.receive(chunk);
    }
  }

  /** Tells a client that is still there why, then ends the session. */
  async #goodbye(reason: string): Promise<never> {
    await this.#options.send(this.#options.machine.goodbye(reason)).catch(() => {});
    throw new SessionClosed(reason);
  }
}
