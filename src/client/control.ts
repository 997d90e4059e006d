/**
 * The client's control connection: writes each command, feeds what comes back to
 * the protocol's {@linkcode ClientConnection}, and turns its reply into a value or a
 * typed error, within the timeout.
 *
 * @module
 */

import {
  DialectError,
  NotFerryError,
  ProtocolError,
  RemoteError,
  TransferError,
} from "../common/errors.ts";
import { formatAddress, quote } from "../common/text.ts";
import { ClientConnection } from "../protocol/client_connection.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import type { FeatureSet } from "../protocol/features.ts";
import { couldStartField } from "../protocol/field.ts";
import { looksLikeTls } from "../protocol/replies.ts";
import { Channel, TIMED_OUT } from "../transport/channel.ts";
import type { Connection, NetAddress } from "../transport/connection.ts";
import { seconds, withDeadline } from "../transport/deadline.ts";

/** How long to wait, after a refusal, for a close that says the session is over. */
const HANG_UP_GRACE_MS = 50;

/** What a command's reply was, when it was not a refusal. */
export type Answer = { type: "port"; port: number; ticket?: string } | { type: "ok"; text: string };

/** How much of a stranger's first answer a message quotes. */
const QUOTED_BYTES = 60;

/** Options for a {@linkcode Control}. */
export interface ControlOptions {
  /** Milliseconds to wait for any reply. */
  timeout: number;
  /**
   * Milliseconds to wait for the very first reply, if less than `timeout`: a server
   * that stays silent that long is taken for something other than a ferry server.
   * Default: `timeout`.
   */
  firstReply?: number;
}

/** One control connection; commands run one at a time. */
export class Control {
  #channel: Channel;
  #machine = new ClientConnection();
  #timeout: number;
  #firstReply: number;
  /** Whether a reply has been read: until then, a stranger is told apart from a ferry server. */
  #answered = false;
  /** The first bytes the server sent, kept until it has answered once, to quote them. */
  #firstBytes: Uint8Array | undefined;
  /** Feeds the state machine, keeping the first bytes. */
  #decoder = {
    receive: (bytes: Uint8Array) => {
      if (!this.#answered) this.#keepFirst(bytes);
      this.#machine.receive(bytes);
    },
    receiveEnd: () => this.#machine.receiveEnd(),
    next: () => this.#machine.next(),
  };

  constructor(connection: Connection, options: ControlOptions) {
    this.#channel = new Channel(connection);
    this.#timeout = options.timeout;
    this.#firstReply = Math.min(options.firstReply ?? Infinity, options.timeout);
  }

  /**
   * Listens `ms` before anything is sent. A ferry server never speaks first, except
   * to turn a session away with a refusal, which is kept as the next reply; anything
   * else (an SSH, SMTP or FTP greeting) throws {@linkcode NotFerryError}.
   */
  async listenFirst(ms: number): Promise<void> {
    const bytes = await this.#channel.readWithin(ms).catch(() => null);
    if (bytes === TIMED_OUT || bytes === null) return; // Silent, or gone: the first command tells.
    this.#keepFirst(bytes);
    if (!couldStartField(bytes)) throw this.#stranger("it spoke first, with", true);
    this.#machine.receive(bytes);
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
      const first = !this.#answered;
      const limit = first ? this.#firstReply : this.#timeout;
      const event = await withDeadline(
        limit,
        () => this.close(),
        () =>
          first && limit < this.#timeout
            ? this.#stranger(`it did not answer within ${seconds(limit)}`, false)
            : new TransferError(`The server did not answer within ${seconds(limit)}`),
        () => this.#channel.next(this.#decoder),
      ).catch((error) => {
        const start = this.#firstBytes;
        const stranger = first && error instanceof ProtocolError && start !== undefined &&
          !couldStartField(start) && !looksLikeTls(start);
        throw stranger ? this.#stranger("it answered", true, error) : error;
      });
      this.#answered = true;
      this.#firstBytes = undefined;
      switch (event.type) {
        case "port":
        case "ok":
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

  /** A stranger at the server's address: the session is over. */
  #stranger(what: string, quoteStart: boolean, cause?: unknown): NotFerryError {
    this.close();
    const start = new TextDecoder().decode(this.#firstBytes).split(/\r?\n/)[0];
    const quoted = quoteStart ? ` ${quote(start, QUOTED_BYTES)}` : "";
    return new NotFerryError(
      `The server at ${
        formatAddress(this.remoteAddr)
      } does not look like a ferry or simple-FTP server: ${what}${quoted}`,
      { cause },
    );
  }

  #keepFirst(bytes: Uint8Array): void {
    const kept = this.#firstBytes?.byteLength ?? 0;
    if (kept >= QUOTED_BYTES) return;
    const more = bytes.subarray(0, QUOTED_BYTES - kept);
    const joined = new Uint8Array(kept + more.byteLength);
    if (this.#firstBytes) joined.set(this.#firstBytes);
    joined.set(more, kept);
    this.#firstBytes = joined;
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
