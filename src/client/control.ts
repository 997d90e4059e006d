/**
 * The client's control connection: writes each command, feeds what comes back to
 * the protocol's {@linkcode ClientConnection}, and turns its reply into a value or a
 * typed error, within the timeout.
 *
 * @module
 */

import { DialectError, NotFerryError, RemoteError, TransferError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { ClientConnection, type ClientEvent } from "../protocol/client_connection.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import type { Dialect } from "../protocol/dialects.ts";
import type { FeatureSet } from "../protocol/features.ts";
import { Listing } from "../protocol/listing.ts";
import { concatBytes } from "../protocol/replies.ts";
import { Channel, settled, TIMED_OUT } from "../transport/channel.ts";
import type { Connection, NetAddress } from "../transport/connection.ts";
import { seconds, withDeadline } from "../transport/deadline.ts";
import { FirstBytes } from "./stranger.ts";

/** How long to wait, after a refusal, for a close that says the session is over. */
const HANG_UP_GRACE_MS = 50;

/** What a command's reply was, when it was not a refusal. */
export type Answer =
  | { type: "port"; port: number; ticket?: string }
  | { type: "ok"; text: string }
  /** A `fetch` answer's `ok` text and the file's bytes behind it (PROTOCOL.md §18). */
  | { type: "inline"; text: string; bytes: Uint8Array }
  /** The listing, in a dialect that sends it on the control connection. */
  | { type: "listing"; bytes: Uint8Array }
  /** In an active dialect: the server connected to this client's data port. */
  | { type: "connected"; channel: Channel };

/** An active command's data port, and the server's connection to it when it comes. */
export interface ActiveData {
  port: number;
  accepted: Promise<Channel>;
}

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
  /** The dialect the server speaks (PROTOCOL.md §15). Default `ferry`. */
  dialect?: Dialect;
}

/** One control connection; commands run one at a time. */
export class Control {
  #channel: Channel;
  #machine: ClientConnection;
  #timeout: number;
  #firstReply: number;
  /** Whether a reply has been read: until then, a stranger is told apart from a ferry server. */
  #answered = false;
  /** What the server sent before its first reply was read whole. */
  #first = new FirstBytes();
  /** Feeds the state machine, keeping the first bytes. */
  #decoder = {
    receive: (bytes: Uint8Array) => {
      if (!this.#answered) this.#first.keep(bytes);
      this.#machine.receive(bytes);
    },
    receiveEnd: () => this.#machine.receiveEnd(),
    next: () => this.#machine.next(),
  };

  constructor(connection: Connection, options: ControlOptions) {
    this.#channel = new Channel(connection);
    this.#machine = new ClientConnection(options.dialect);
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
    this.#first.keep(bytes);
    if (this.#first.foreign) throw this.#stranger("it spoke first, with", { quoteStart: true });
    this.#machine.receive(bytes);
  }

  get remoteAddr(): NetAddress {
    return this.#channel.remoteAddr;
  }

  /** This side's address: where an active client listens for data connections. */
  get localAddr(): NetAddress {
    return this.#channel.localAddr;
  }

  /** Whether the connection is closed (after `quit`, `close` or a fatal error). */
  get closed(): boolean {
    return this.#machine.state === "closed";
  }

  /**
   * Sends `command` and returns its answer. A refusal throws {@linkcode RemoteError}
   * and leaves the session usable; anything else that goes wrong closes it. In an
   * active dialect, `active` is the data port sent with the command: the answer is
   * then the server's connection to it, or a refusal, whichever comes.
   */
  async request<V extends Verb>(command: CommandOf<V>, active?: ActiveData): Promise<Answer> {
    if (this.closed) throw new TransferError("The connection to the server is closed");
    return await this.#answer(async () => {
      await this.#channel.write(this.#machine.sendCommand(command, active?.port));
      return active
        ? await this.#nextOrConnected(active.accepted)
        : await this.#channel.next(this.#decoder);
    });
  }

  /**
   * Sends `commands`, each answered on the control connection alone, keeping up to
   * `window` of them in flight (PROTOCOL.md §18), and hands each answer (or the
   * {@linkcode RemoteError} of its refusal) to `use`, in order, before the next is
   * read. Anything else that goes wrong closes the session and throws. Once `signal`
   * aborts, no more commands are sent; the answers owed are still read, so the
   * session stays in step.
   */
  async pipeline<V extends Verb>(
    commands: readonly CommandOf<V>[],
    { window, use, signal }: {
      window: number;
      use: (answer: Answer | RemoteError) => Promise<void>;
      signal?: AbortSignal;
    },
  ): Promise<void> {
    if (this.closed) throw new TransferError("The connection to the server is closed");
    let sent = 0;
    const sendUpTo = async (limit: number) => {
      const frames = [];
      for (; sent < Math.min(limit, commands.length) && !signal?.aborted; sent++) {
        frames.push(this.#machine.sendCommand(commands[sent]));
      }
      if (frames.length > 0) await this.#channel.write(concatBytes(...frames));
    };
    const owed = () => signal?.aborted ? sent : commands.length;
    for (let answered = 0; answered < owed(); answered++) {
      const answer = await this.#answer(async () => {
        // Refill before waiting, so the server is never idle while this side reads.
        await sendUpTo(answered + window);
        return await this.#channel.next(this.#decoder);
      }).catch((error: unknown) => {
        if (error instanceof RemoteError && !this.closed) return error;
        throw error;
      });
      await use(answer);
    }
  }

  /**
   * Writes what `exchange` writes and reads its reply, within the timeout (the first
   * reply within `firstReply`), as an answer or a typed error.
   */
  async #answer(
    exchange: () => Promise<Exclude<ClientEvent, { type: "need-data" }> | Answer>,
  ): Promise<Answer> {
    try {
      const first = !this.#answered;
      const limit = first ? this.#firstReply : this.#timeout;
      // Sending is bounded too: a server that reads nothing fills the buffers in the end.
      const event = await withDeadline(
        limit,
        () => this.close(),
        () =>
          first && limit < this.#timeout
            ? this.#stranger(`it did not answer within ${seconds(limit)}`, { quoteStart: false })
            : new TransferError(`The server did not answer within ${seconds(limit)}`),
        exchange,
      ).catch((error) => {
        // Whatever failed to parse, a first answer in another protocol says more.
        const stranger = first && !(error instanceof NotFerryError) && this.#first.foreign;
        throw stranger ? this.#stranger("it answered", { quoteStart: true, cause: error }) : error;
      });
      this.#answered = true;
      this.#first.clear();
      switch (event.type) {
        case "port":
        case "ok":
        case "inline":
        case "listing":
        case "connected":
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
  #stranger(what: string, options: { quoteStart: boolean; cause?: unknown }): NotFerryError {
    this.close();
    return this.#first.stranger(this.remoteAddr, what, options);
  }

  /**
   * The reply, or the server's connection to this client's data port if that comes
   * first: the two never both come, since in an active dialect success is silence.
   */
  async #nextOrConnected(
    accepted: Promise<Channel>,
  ): Promise<Exclude<ClientEvent, { type: "need-data" }> | Answer & { type: "connected" }> {
    const arrived = settled(accepted.then((channel) => ({ type: "connected" as const, channel })));
    while (true) {
      const event = this.#decoder.next();
      if (event.type !== "need-data") return event;
      const chunk = await this.#channel.readOr(arrived);
      if (chunk === null) this.#decoder.receiveEnd();
      else if (chunk instanceof Uint8Array) this.#decoder.receive(chunk);
      else {
        this.#machine.connected();
        return chunk;
      }
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

  /** Says goodbye (best effort, within the timeout), ends the stream cleanly, and closes. */
  async quit(): Promise<void> {
    if (this.closed) return;
    const goodbye = this.#machine.sendCommand({ verb: "quit" });
    await withDeadline(
      this.#timeout,
      () => this.close(),
      () => new TransferError("The server did not take the goodbye"),
      async () => {
        await this.#channel.write(goodbye);
        await this.#channel.closeWrite();
      },
    ).catch(() => {});
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
  const lines = new Listing(text).size; // Counted, not split: the frame may be 64 MiB.
  const what = lines > 1 ? `what looks like a listing (${lines} lines)` : "a frame";
  return `${what}, ${quote(text, 80)},`;
}
