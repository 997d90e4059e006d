/**
 * The client's half of a control connection as a state machine with no I/O: it
 * formats each command, then turns the bytes that come back into one reply event,
 * whichever form the server used (a bare port, a framed port, a refusal with or
 * without a message, an `ok` frame). Tested by feeding it bytes; `src/client/`
 * does the reading and writing.
 *
 * ```
 *  ready ──sendCommand()──▶ awaiting ──port──▶ transferring ──endTransfer()──▶ ready
 *                              └──refused / ok──▶ ready
 *  any state ──quit / end of stream / protocol error──▶ closed
 * ```
 *
 * @module
 */

import { ProtocolError } from "../common/errors.ts";
import { printable } from "../common/text.ts";
import { type CommandOf, COMMANDS, formatCommand, type ReplyKind, type Verb } from "./commands.ts";
import { decodeSignedField, encodeFrame, FIELD_LENGTH } from "./field.ts";
import { BASE_FEATURES, type FeatureSet } from "./features.ts";
import { cutShort, END, NEED_DATA, type NoItem, takeField, takeFrame, takeRest } from "./frames.ts";
import { MAX_LISTING_BYTES } from "./listing.ts";
import { ReceiveBuffer } from "./receive_buffer.ts";
import {
  interpretReplyField,
  looksLikeTls,
  MAX_MESSAGE_BYTES,
  parseFramedPort,
  parseOk,
  type ReplyField,
} from "./replies.ts";

/** What the server answered. */
export type ClientEvent =
  /** Receive more bytes. */
  | { type: "need-data" }
  /** Connect to this data port for the command's bytes (sending `ticket` first, if any). */
  | { type: "port"; port: number; ticket?: string }
  /** The command had no effect; `message` is the server's reason, if it gave one. */
  | { type: "refused"; message: string | undefined }
  /** An extension verb succeeded, with this text. */
  | { type: "ok"; text: string }
  /**
   * A frame where a bare port belongs (a listing, a status line): a server of
   * another dialect. It was read whole, so the session is still in step.
   */
  | { type: "frame"; text: string }
  /** The server closed the connection: the session is over. */
  | { type: "closed" };

/** Where the control connection is. */
export type ClientState = "ready" | "awaiting" | "transferring" | "closed";

// Lenient: text from a peer is shown with U+FFFD, or fails its own parser.
const lenientUtf8 = new TextDecoder();

/** The client side of one control connection. */
export class ClientConnection {
  #buffer = new ReceiveBuffer();
  #state: ClientState = "ready";
  #expecting: ReplyKind = "none";
  /** The reply field, once read, while the frame behind it is still arriving. */
  #field: PendingReply | undefined;
  #features: FeatureSet = BASE_FEATURES;

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

  /** Formats `command` and waits for its reply (none for `quit`, which closes). */
  sendCommand<V extends Verb>(command: CommandOf<V>): Uint8Array {
    this.#expect("ready", "send a command");
    this.#expecting = COMMANDS[command.verb].reply;
    this.#state = this.#expecting === "none" ? "closed" : "awaiting";
    return encodeFrame(formatCommand(command));
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
    if (event.type === "port") this.#state = "transferring";
    else if (event.type === "closed") this.#state = "closed";
    else if (event.type !== "need-data") this.#state = "ready";
    return event;
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
        this.#field = this.#expecting === "ok"
          ? okReplyField(value)
          : portReplyField(value, !tickets && this.#buffer.length > 0, tickets);
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
      case "framed-port": {
        const bytes = takeRest(this.#buffer, field.length);
        if (bytes === NEED_DATA) return { type: "need-data" };
        this.#field = undefined;
        const text = lenientUtf8.decode(bytes);
        // `0000000002-1`: the framed form of a base server's silent refusal.
        if (/^-\d+$/.test(text)) return { type: "refused", message: undefined };
        return { type: "port", port: parseFramedPort(text) };
      }
      case "frame": {
        const bytes = takeRest(this.#buffer, field.length);
        if (bytes === NEED_DATA) return { type: "need-data" };
        this.#field = undefined;
        return { type: "frame", text: lenientUtf8.decode(bytes) };
      }
      case "refused": {
        const message = takeFrame(this.#buffer, MAX_MESSAGE_BYTES);
        if (typeof message === "symbol") return this.#noItem(message);
        this.#field = undefined;
        return { type: "refused", message: printable(lenientUtf8.decode(message)) || undefined };
      }
      case "ok-frame": {
        const bytes = takeRest(this.#buffer, field.length);
        if (bytes === NEED_DATA) return { type: "need-data" };
        this.#field = undefined;
        const text = lenientUtf8.decode(bytes);
        const ok = parseOk(text);
        if (ok !== undefined) return { type: "ok", text: ok };
        // Not an answer ferry sends: a base server's own way of saying no (`-1`, say).
        return { type: "refused", message: text === "-1" ? undefined : printable(text) };
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

/** A reply field as read: a port-kind reply, or the header of a frame behind it. */
type PendingReply =
  | ReplyField
  | { kind: "ticketed-port"; port: number }
  | { kind: "ok-frame"; length: number }
  | { kind: "frame"; length: number };

/** A data-connection ticket is short; anything longer is not one. */
const MAX_TICKET_BYTES = 64;

/** What a classic client says when an encrypted server answers it. */
const PLAIN_TO_TLS =
  "The server answered with encryption (TLS): it is a secure ferry server, so connect without --plain";

/** The largest frame read where a port belongs: a listing, at most. */
const MAX_STRAY_FRAME = MAX_LISTING_BYTES;

/**
 * A port-kind reply's field. A bare port is never followed at once by more bytes (the
 * server waits for the client to connect); a frame is. So a value with bytes already
 * behind it is a frame's length (a listing sent on the control connection, a status
 * line), and connecting to it as a port would reach some other service.
 */
function portReplyField(value: number, followed: boolean, tickets: boolean): PendingReply {
  if (followed && value > 5) {
    if (value > MAX_STRAY_FRAME) {
      throw new ProtocolError(`Frame of ${value} bytes exceeds the ${MAX_STRAY_FRAME}-byte limit`);
    }
    return { kind: "frame", length: value };
  }
  const reply = interpretReplyField(value);
  return tickets && reply.kind === "port" ? { kind: "ticketed-port", port: reply.port } : reply;
}

/**
 * An `ok`-kind reply's field: zero or negative is a refusal as for any verb; a
 * positive value is the length of the `ok` frame behind it.
 */
function okReplyField(value: number): PendingReply {
  if (value <= 0) return interpretReplyField(value);
  if (value > MAX_MESSAGE_BYTES) {
    throw new ProtocolError(`Frame of ${value} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit`);
  }
  return { kind: "ok-frame", length: value };
}
