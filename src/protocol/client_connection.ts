/**
 * The client's half of a control connection as a state machine with no I/O: it
 * formats each command, then turns the bytes that come back into one reply event,
 * whichever form the server used (a bare port, a framed port, a refusal with or
 * without a message, an `ok` frame). Tested by feeding it bytes; `src/client/`
 * does the reading and writing.
 *
 * ```
 *  ready ──sendCommand()──▶ awaiting ──port / connected()──▶ transferring ──endTransfer()──▶ ready
 *                              └──refused / ok / listing / inline──▶ ready
 *  any state ──quit / end of stream / protocol error──▶ closed
 * ```
 *
 * Commands answered on the control connection alone (`ok` and `inline` replies) may
 * be pipelined: sent while earlier ones still await their replies, which then come
 * in order, one {@linkcode ClientConnection.next} event each (PROTOCOL.md §18).
 *
 * The {@linkcode Dialect} decides what a reply can be (PROTOCOL.md §15): in `framed`
 * every reply is a frame; in an active dialect the command carries the client's own
 * port, and only a refusal comes back (success is the server connecting).
 *
 * @module
 */

import { ProtocolError } from "../common/errors.ts";
import { type CommandOf, COMMANDS, formatCommand, type Verb } from "./commands.ts";
import { type Dialect, FERRY_DIALECT, formatActiveCommand } from "./dialects.ts";
import { decodeSignedField, encodeFrame, FIELD_LENGTH } from "./field.ts";
import { BASE_FEATURES, type FeatureSet } from "./features.ts";
import { cutShort, END, NEED_DATA, type NoItem, takeField, takeFrame, takeRest } from "./frames.ts";
import { answerHasPayload, MAX_INLINE_BYTES } from "./inline.ts";
import { ReceiveBuffer } from "./receive_buffer.ts";
import { looksLikeTls, MAX_MESSAGE_BYTES } from "./replies.ts";
import {
  type ClientEvent,
  expectationOf,
  type Expecting,
  frameEvent,
  type PendingReply,
  refusal,
  replyField,
} from "./reply_reading.ts";

export type { ClientEvent } from "./reply_reading.ts";

/** Where the control connection is. */
export type ClientState = "ready" | "awaiting" | "transferring" | "closed";

// Lenient: text from a peer is shown with U+FFFD, or fails its own parser.
const lenientUtf8 = new TextDecoder();

/** The client side of one control connection. */
export class ClientConnection {
  #buffer = new ReceiveBuffer();
  #state: ClientState = "ready";
  /** What the reply to each command sent and not yet answered can be, oldest first. */
  #queue: Expecting[] = [];
  /** The reply field, once read, while the frame behind it is still arriving. */
  #field: PendingReply | undefined;
  #features: FeatureSet = BASE_FEATURES;
  #dialect: Dialect;

  constructor(dialect: Dialect = FERRY_DIALECT) {
    this.#dialect = dialect;
  }

  /** The extensions agreed with `feat`, which change how replies read. */
  get features(): FeatureSet {
    return this.#features;
  }

  /** Records what the server agreed to (its answer to `feat`). */
  agree(features: FeatureSet): void {
    this.#features = features;
  }

  /** Where the connection is; see the module diagram. */
  get state(): ClientState {
    return this.#state;
  }

  /** Whether the server has closed its side (bytes it sent before may still be stored). */
  get peerEnded(): boolean {
    return this.#buffer.ended;
  }

  /**
   * Formats `command` and waits for its reply (none for `quit`, which closes). In an
   * active dialect, a command with a data connection carries `dataPort`, the port
   * this client listens on.
   */
  sendCommand<V extends Verb>(command: CommandOf<V>, dataPort?: number): Uint8Array {
    const reply = COMMANDS[command.verb].reply;
    const pipelined = this.#state === "awaiting" && PIPELINED.includes(reply) &&
      this.#queue.every((expecting) => PIPELINED.includes(expecting));
    if (!pipelined) this.#expect("ready", "send a command");
    const active = reply === "port" && this.#dialect.port.by === "client";
    if (active !== (dataPort !== undefined)) {
      throw new TypeError(
        `Cannot send ${command.verb}: a data port goes with it exactly in an active dialect`,
      );
    }
    const expecting = expectationOf(this.#dialect, command.verb);
    this.#queue.push(expecting);
    this.#state = expecting === "none" ? "closed" : "awaiting";
    const text = formatCommand(command);
    return active ? formatActiveCommand(this.#dialect, text, dataPort!) : encodeFrame(text);
  }

  /**
   * In an active dialect, the server connected to this client's data port: that is
   * the answer to the command, and the transfer begins.
   */
  connected(): void {
    this.#expect("awaiting", "take a data connection");
    if (this.#expecting !== "refusal") {
      throw new TypeError(`Cannot take a data connection in the ${this.#dialect.name} dialect`);
    }
    this.#queue.shift(); // The connection was the reply.
    this.#state = "transferring";
  }

  /** Stores bytes from the server. */
  receive(bytes: Uint8Array): void {
    this.#buffer.receive(bytes);
  }

  /** Records that the server closed its side. */
  receiveEnd(): void {
    this.#buffer.receiveEnd();
  }

  /**
   * The reply to the command sent. Throws {@linkcode ProtocolError} for a reply no
   * server may send (the session cannot go on), and `TransferError` for one cut off.
   */
  next(): ClientEvent {
    this.#expect("awaiting", "read a reply");
    const event = this.#readReply();
    if (event.type !== "need-data" && event.type !== "closed") this.#queue.shift();
    if (event.type === "port") this.#state = "transferring";
    else if (event.type === "closed") this.#state = "closed";
    else if (event.type !== "need-data") this.#state = this.#queue.length ? "awaiting" : "ready";
    return event;
  }

  /** How many commands await their replies (more than one only when pipelined). */
  get pending(): number {
    return this.#state === "closed" ? 0 : this.#queue.length;
  }

  /** What the reply to the oldest command unanswered can be. */
  get #expecting(): Expecting {
    return this.#queue[0] ?? "none";
  }

  /** The data connection of the command under way is done with. */
  endTransfer(): void {
    this.#expect("transferring", "end a transfer");
    this.#state = "ready";
  }

  /** Marks the connection closed (by the user, or after an error). */
  close(): void {
    this.#state = "closed";
  }

  #readReply(): ClientEvent {
    try {
      if (!this.#field) {
        if (looksLikeTls(this.#buffer.peek(2))) throw new ProtocolError(PLAIN_TO_TLS);
        const field = takeField(this.#buffer);
        if (typeof field === "symbol") return this.#noItem(field);
        const value = decodeSignedField(field);
        const tickets = this.#features.has("tickets");
        const expecting = this.#expecting;
        if (expecting === "none") throw new TypeError("Cannot read a reply to quit");
        this.#field = replyField(value, expecting, {
          followed: this.#buffer.length > 0,
          tickets,
        });
      }
      return this.#readAfterField(this.#field);
    } catch (error) {
      this.#state = "closed";
      throw error;
    }
  }

  #readAfterField(field: PendingReply): ClientEvent {
    switch (field.kind) {
      case "port":
        this.#field = undefined;
        return { type: "port", port: field.port };
      case "ticketed-port": {
        const ticket = takeFrame(this.#buffer, MAX_TICKET_BYTES);
        if (ticket === NEED_DATA) return { type: "need-data" };
        if (ticket === END) throw cutShort(0, FIELD_LENGTH);
        this.#field = undefined;
        return { type: "port", port: field.port, ticket: lenientUtf8.decode(ticket) };
      }
      case "refused-silently":
        this.#field = undefined;
        return { type: "refused", message: undefined };
      case "refused": {
        const message = takeFrame(this.#buffer, MAX_MESSAGE_BYTES);
        if (typeof message === "symbol") return this.#noItem(message);
        this.#field = undefined;
        return refusal(lenientUtf8.decode(message));
      }
      case "frame": {
        const bytes = takeRest(this.#buffer, field.length);
        if (bytes === NEED_DATA) return { type: "need-data" };
        this.#field = undefined;
        const event = frameEvent(field.as, bytes);
        if (field.as !== "inline" || event.type !== "ok" || !answerHasPayload(event.text)) {
          return event;
        }
        this.#field = { kind: "inline-payload", text: event.text };
        return this.#readAfterField(this.#field);
      }
      case "inline-payload": {
        const bytes = takeFrame(this.#buffer, MAX_INLINE_BYTES);
        if (bytes === NEED_DATA) return { type: "need-data" };
        if (bytes === END) throw cutShort(0, FIELD_LENGTH);
        this.#field = undefined;
        return { type: "inline", text: field.text, bytes };
      }
    }
  }

  /** Nothing to report yet; a stream that ended means the session is over. */
  #noItem(item: NoItem): ClientEvent {
    return item === END ? { type: "closed" } : { type: "need-data" };
  }

  #expect(state: ClientState, action: string): void {
    if (this.#state !== state) {
      throw new TypeError(`Cannot ${action} while ${this.#state}: expected ${state}`);
    }
  }
}

/** The replies that can be pipelined: those on the control connection alone. */
const PIPELINED: readonly string[] = ["ok", "inline"];

/** A data-connection ticket is short; anything longer is not one. */
const MAX_TICKET_BYTES = 64;

/** What a classic client says when an encrypted server answers it. */
const PLAIN_TO_TLS =
  "The server answered with encryption (TLS): it is a secure ferry server, so connect without --plain";
