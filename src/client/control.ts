/**
 * The client's control connection: writes each command, feeds what comes back to
 * the protocol's {@linkcode ClientConnection}, and turns its reply into a value or a
 * typed error, within the timeout.
 *
 * @module
 */

import { DialectError, RemoteError, TransferError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { ClientConnection } from "../protocol/client_connection.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import type { FeatureSet } from "../protocol/features.ts";
import { Channel, TIMED_OUT } from "../transport/channel.ts";
import type { Connection, NetAddress } from "../transport/connection.ts";
import { seconds, withDeadline } from "../transport/deadline.ts";

/** How long to wait, after a refusal, for a close that says the session is over. */
const HANG_UP_GRACE_MS = 50;

/** What a command's reply was, when it was not a refusal. */
export type Answer =
  | { type: "port"; port: number; ticket?: string }
  | { type: "ok"; text: string }
  /** The listing, in a dialect that sends it on the control connection. */
  | { type: "listing"; bytes: Uint8Array };

/** One control connection; commands run one at a time. */
export class Control {
  #channel: Channel;
  #machine = new ClientConnection();
  #timeout: number;

  constructor(connection: Connection, timeout: number) {
    this.#channel = new Channel(connection);
    this.#timeout = timeout;
  }

  get remoteAddr(): NetAddress {
    return this.#channel.remoteAddr;
  }

  /** Whether the connection is closed (after `quit`, `close` or a fatal error). */
  get closed(): boolean {
    return this.#machine.state === "closed";
  }

  /**
   * Sends `command` and returns its answer. A refusal throws {@linkcode RemoteError}
   * and leaves the session usable; anything else that goes wrong closes it.
   */
  async request<V extends Verb>(command: CommandOf<V>): Promise<Answer> {
    if (this.closed) throw new TransferError("The connection to the server is closed");
    try {
      await this.#channel.write(this.#machine.sendCommand(command));
      const event = await withDeadline(
        this.#timeout,
        () => this.close(),
        () => new TransferError(`The server did not answer within ${seconds(this.#timeout)}`),
        () => this.#channel.next(this.#machine),
      );
      switch (event.type) {
        case "port":
        case "ok":
        case "listing":
          return event;
        case "closed":
          throw new TransferError("The server closed the connection");
        case "refused":
          throw await this.#refusal(event.message);
        case "frame":
          throw new DialectError(
            `The server sent ${describeFrame(event.text)} where a data port belongs: ` +
              "it speaks another dialect of the protocol",
          );
      }
    } catch (error) {
      // A broken control connection cannot be resynchronised; a refusal leaves it fine,
      // and so does a frame read whole.
      const inStep = error instanceof RemoteError || error instanceof DialectError;
      if (!inStep || this.closed) this.close();
      throw error;
    }
  }

  /** Records the extensions the server agreed to, which change how replies read. */
  agree(features: FeatureSet): void {
    this.#machine.agree(features);
  }

  /** The data connection of the command under way is done with. */
  endTransfer(): void {
    if (this.#machine.state === "transferring") this.#machine.endTransfer();
  }

  /** Says goodbye (best effort), ends the stream cleanly, and closes. */
  async quit(): Promise<void> {
    if (this.closed) return;
    await this.#channel.write(this.#machine.sendCommand({ verb: "quit" })).catch(() => {});
    await this.#channel.closeWrite();
    this.close();
  }

  /** Closes the connection without a goodbye. Safe to call twice. */
  close(): void {
    this.#machine.close();
    this.#channel.close();
  }

  /**
   * The error for a refusal. A server that turns a session away (a limit, a timeout)
   * closes right behind its refusal: wait a moment for that close, and if it comes,
   * say the session is over. If the server is still there, whatever it sends next
   * stays stored for the next reply.
   */
  async #refusal(message: string | undefined): Promise<RemoteError> {
    const reason = message ?? "The server refused the command without saying why";
    const next = await this.#channel.readWithin(HANG_UP_GRACE_MS).catch(() => null);
    if (next === TIMED_OUT) return new RemoteError(reason);
    if (next !== null) {
      this.#machine.receive(next);
      return new RemoteError(reason);
    }
    this.#machine.receiveEnd();
    this.close();
    return new RemoteError(`The server ended the session: ${reason}`);
  }
}

/** A frame's text for a message: what it looks like, and its start. */
function describeFrame(text: string): string {
  const lines = text.split("\n").filter((line) => line !== "");
  const what = lines.length > 1 ? `what looks like a listing (${lines.length} lines)` : "a frame";
  return `${what}, ${quote(text, 80)},`;
}
