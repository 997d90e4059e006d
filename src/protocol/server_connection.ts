/**
 * The server's half of a control connection as a state machine with no I/O, in the
 * manner of h11: {@linkcode ServerConnection.receive} only stores bytes,
 * {@linkcode ServerConnection.next} returns the next event (or "need data"), and
 * each `send…()` returns the bytes to write and moves the state on.
 *
 * ```
 *  reading ──command──▶ replying ──sendPort()──▶ transferring ──endTransfer()──┐
 *     ▲                   │ sendRefusal() / sendOk() / sendFeatures()          │
 *     └───────────────────┴────────────────────────────────────────────────────┘
 *  any state ──goodbye() / end of stream / protocol error / quit──▶ closed
 * ```
 *
 * The state answers the question every failure raises: while `replying`, the command
 * can still be refused on the control connection; once `transferring`, the port is
 * out and the failure belongs to the data connection (PROTOCOL.md §7.1).
 *
 * The {@linkcode Dialect} says how replies look, and in an active dialect where the
 * client's data port is: at the command's end, or a frame of its own after it, which
 * the machine reads before it yields the command ({@linkcode ServerConnection.clientPort}).
 *
 * @module
 */

import { ProtocolError, TransferError } from "../common/errors.ts";
import { type Held, holdCommand, withPortFrame } from "./active_ports.ts";
import { type Command, MAX_COMMAND_BYTES, parseCommand } from "./commands.ts";
import { type Dialect, FERRY_DIALECT, formatDialectRefusal, formatPortReply } from "./dialects.ts";
import { BASE_FEATURES, type FeatureSet } from "./features.ts";
import { END, NEED_DATA, takeFrame } from "./frames.ts";
import { ReceiveBuffer } from "./receive_buffer.ts";
import { encodeFrame } from "./field.ts";
import { concatBytes, formatOk, looksLikeTls } from "./replies.ts";

/** What a classic server says to an encrypted client (it cannot read this, but logs can). */
const TLS_TO_PLAIN =
  "An encrypted (TLS) client connected to this classic server: run the client with --plain, or start the server without --plain";

/** What the server's control connection has to say next. */
export type ServerEvent =
  /** Receive more bytes. `idle` says no byte of a next command has arrived yet. */
  | { type: "need-data"; idle: boolean }
  /** A command to carry out; answer it with one `send…()` call. */
  | { type: "command"; command: Command }
  /** A command frame that cannot be carried out; answer with `sendRefusal(reason)`. */
  | { type: "invalid"; reason: string }
  /** The client broke the protocol: say `goodbye(reason)` and close. */
  | { type: "protocol-error"; reason: string }
  /** The client closed: `clean` if at a frame boundary, not mid-command. */
  | { type: "end"; clean: boolean };

/** Where the control connection is. */
export type ServerState = "reading" | "replying" | "transferring" | "closed";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder();

/** The server side of one control connection. */
export class ServerConnection {
  #buffer = new ReceiveBuffer();
  #state: ServerState = "reading";
  #features: FeatureSet = BASE_FEATURES;
  #agreed = false;
  #dialect: Dialect;
  /** A command read whose port frame has not arrived yet. */
  #held: Held | undefined;
  #clientPort: number | undefined;

  constructor(dialect: Dialect = FERRY_DIALECT) {
    this.#dialect = dialect;
  }

  /** The dialect replies are formatted in. */
  get dialect(): Dialect {
    return this.#dialect;
  }

  /**
   * In an active dialect, the data port the client sent with the command under way:
   * the server connects to it. `undefined` in a passive dialect.
   */
  get clientPort(): number | undefined {
    return this.#clientPort;
  }

  /** Where the connection is; see the module diagram. */
  get state(): ServerState {
    return this.#state;
  }

  /** The extensions agreed with `feat`; none until then. */
  get features(): FeatureSet {
    return this.#features;
  }

  /** Whether no byte of the next command has arrived: the idle deadline applies. */
  get idle(): boolean {
    return this.#buffer.length === 0 && this.#held === undefined;
  }

  /** Whether the command under way can still be refused on the control connection. */
  get canRefuse(): boolean {
    return this.#state === "replying";
  }

  /** Stores bytes from the client. */
  receive(bytes: Uint8Array): void {
    this.#buffer.receive(bytes);
  }

  /** Records that the client closed its side. */
  receiveEnd(): void {
    this.#buffer.receiveEnd();
  }

  /** The next event. Only while `reading`: commands are strictly one at a time. */
  next(): ServerEvent {
    this.#expect("reading", "read a command");
    let held = this.#held;
    if (!held) {
      const frame = this.#takeFrame();
      if (!(frame instanceof Uint8Array)) return frame;
      held = this.#hold(frame);
    }
    if (held.portFrameDue) {
      this.#held = held; // Until its port frame is in: the command deadline runs.
      const frame = this.#takeFrame();
      if (!(frame instanceof Uint8Array)) {
        if (frame.type !== "need-data") this.#held = undefined;
        return frame;
      }
      this.#held = undefined;
      held = withPortFrame(held, lenientUtf8.decode(frame));
    }
    this.#state = "replying";
    return this.#commandEvent(held);
  }

  /** The next whole frame, or the event that stands in its way. */
  #takeFrame(): Uint8Array | Exclude<ServerEvent, { type: "command" | "invalid" }> {
    let frame;
    try {
      if (looksLikeTls(this.#buffer.peek(2))) throw new ProtocolError(TLS_TO_PLAIN);
      frame = takeFrame(this.#buffer, MAX_COMMAND_BYTES);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.#state = "closed";
        return { type: "protocol-error", reason: error.message };
      }
      if (!(error instanceof TransferError)) throw error;
      this.#state = "closed";
      return { type: "end", clean: false }; // Cut off inside a frame.
    }
    if (frame === NEED_DATA) return { type: "need-data", idle: this.idle };
    if (frame === END) {
      this.#state = "closed";
      return { type: "end", clean: this.#held === undefined };
    }
    return frame;
  }

  /** A command frame's text and, in an active dialect, where its data port is. */
  #hold(frame: Uint8Array): Held {
    let text;
    try {
      text = utf8.decode(frame);
    } catch {
      return { text: undefined, portFrameDue: false };
    }
    return holdCommand(this.#dialect, text);
  }

  #commandEvent(held: Held): ServerEvent {
    this.#clientPort = held.port;
    if (held.text === undefined) return { type: "invalid", reason: "Command is not valid UTF-8" };
    if (held.portProblem) return { type: "invalid", reason: held.portProblem };
    const parsed = parseCommand(held.text, this.#features);
    if (parsed.verb === "invalid") return { type: "invalid", reason: parsed.reason };
    if (parsed.verb === "feat" && this.#agreed) {
      return { type: "invalid", reason: "Features were agreed already in this session" };
    }
    if (parsed.verb === "quit") this.#state = "closed";
    return { type: "command", command: parsed };
  }

  /**
   * Answers the command with a data port; the data connection carries the rest. In a
   * session that agreed `tickets`, the one-time `ticket` the client must send first
   * on that connection follows the port (PROTOCOL.md §10.3).
   */
  sendPort(port: number, ticket?: string): Uint8Array {
    this.#expect("replying", "send a port");
    if (this.#features.has("tickets") !== (ticket !== undefined)) {
      throw new TypeError("Cannot send a port: a ticket goes with it exactly when tickets are on");
    }
    const reply = formatPortReply(this.#dialect, port);
    this.#state = "transferring";
    return ticket === undefined ? reply : concatBytes(reply, encodeFrame(ticket));
  }

  /**
   * In an active dialect, the server has connected to the client's port: that
   * connection is the answer, and nothing is sent on the control connection.
   */
  connected(): void {
    this.#expect("replying", "connect");
    if (this.#clientPort === undefined) {
      throw new TypeError(`Cannot connect in the ${this.#dialect.name} dialect: no client port`);
    }
    this.#state = "transferring";
  }

  /** Answers `ls` with the listing itself, in a dialect that lists on the control connection. */
  sendListing(listing: Uint8Array): Uint8Array {
    this.#expect("replying", "send a listing");
    if (this.#dialect.listing !== "control") {
      throw new TypeError(`Cannot send a listing in the ${this.#dialect.name} dialect`);
    }
    this.#state = "reading";
    return encodeFrame(listing);
  }

  /** Refuses the command; the session goes on. */
  sendRefusal(message: string): Uint8Array {
    this.#expect("replying", "refuse");
    this.#state = "reading";
    return formatDialectRefusal(this.#dialect, message);
  }

  /** Answers an extension verb positively. */
  sendOk(text?: string): Uint8Array {
    this.#expect("replying", "answer ok");
    this.#state = "reading";
    return formatOk(text);
  }

  /** Answers `feat` with what was agreed, which is on from now on. */
  sendFeatures(agreed: FeatureSet): Uint8Array {
    const bytes = this.sendOk(agreed.toString());
    this.#features = agreed;
    this.#agreed = true;
    return bytes;
  }

  /** The data connection of the command under way is done with. */
  endTransfer(): void {
    this.#expect("transferring", "end a transfer");
    this.#state = "reading";
  }

  /**
   * A refusal nobody asked for, then the end: the server will not keep this session
   * (a timeout, a protocol error, shutdown). The client reads it as its next reply.
   */
  goodbye(message: string): Uint8Array {
    this.#state = "closed";
    return formatDialectRefusal(this.#dialect, message);
  }

  #expect(state: ServerState, action: string): void {
    if (this.#state !== state) {
      throw new TypeError(`Cannot ${action} while ${this.#state}: expected ${state}`);
    }
  }
}
