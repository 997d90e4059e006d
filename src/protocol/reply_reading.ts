/**
 * How a client reads a reply on the control connection, as pure functions: what the
 * reply to a command can be in a dialect ({@linkcode expectationOf}), what its
 * 10-byte field says ({@linkcode replyField}), and what a frame behind it means
 * ({@linkcode frameEvent}). `client_connection.ts` drives them; PROTOCOL.md §3, §6,
 * §9.2 and §15 are the forms.
 *
 * @module
 */

import { ProtocolError } from "../common/errors.ts";
import { printable } from "../common/text.ts";
import { COMMANDS, type Verb } from "./commands.ts";
import { type Dialect, parseDataPort } from "./dialects.ts";
import { MAX_LISTING_BYTES } from "./listing.ts";
import { interpretReplyField, MAX_MESSAGE_BYTES, parseFramedPort, parseOk } from "./replies.ts";

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
  /** A `fetch` succeeded: the `ok` text, and the file's bytes that came behind it (§18). */
  | { type: "inline"; text: string; bytes: Uint8Array }
  /**
   * A frame where a bare port belongs (a listing, a status line): a server of
   * another dialect. It was read whole, so the session is still in step.
   */
  | { type: "frame"; text: string }
  /** The listing itself, in a dialect that answers `ls` on the control connection. */
  | { type: "listing"; bytes: Uint8Array }
  /** The server closed the connection: the session is over. */
  | { type: "closed" };

/**
 * What the reply to the command sent can be:
 * - `ok`: an `ok` frame or a refusal (extension verbs);
 * - `inline`: an `ok` frame, maybe with a file's bytes behind it, or a refusal (`fetch`);
 * - `port`: a bare port, a framed port, or a refusal in any form (§3, §6);
 * - `framed-port`: a frame holding the port, or a refusal (`framed`);
 * - `listing`: a frame holding the listing, or `-1` (`framed`'s `ls`);
 * - `refusal`: only a refusal, in any form (an active dialect: success is silence);
 * - `none`: nothing (`quit`).
 */
export type Expecting =
  | "ok"
  | "inline"
  | "port"
  | "framed-port"
  | "listing"
  | "refusal"
  | "none";

// Lenient: text from a peer is shown with U+FFFD, or fails its own parser.
const lenientUtf8 = new TextDecoder();

/** How the text of a reply frame reads: see {@linkcode frameEvent}. */
export type FrameReading =
  | "framed-port"
  | "stray"
  | "ok"
  | "port-or-refusal"
  | "listing"
  | "refusal"
  | "inline";

/** A reply field as read: a port, a refusal, or the header of a frame behind it. */
export type PendingReply =
  | { kind: "port"; port: number }
  | { kind: "ticketed-port"; port: number }
  | { kind: "refused" }
  | { kind: "refused-silently" }
  | { kind: "frame"; length: number; as: FrameReading }
  /** A `fetch` answer's `ok` text, read: the file's bytes come next, in a frame. */
  | { kind: "inline-payload"; text: string };

/** The largest frame read where a port belongs: a listing, at most. */
const MAX_STRAY_FRAME = MAX_LISTING_BYTES;

/** What the reply to `verb` can be in `dialect`. */
export function expectationOf(dialect: Dialect, verb: Verb): Expecting {
  const reply = COMMANDS[verb].reply;
  if (reply !== "port") return reply;
  if (dialect.port.by === "client") return "refusal";
  if (verb === "ls" && dialect.listing === "control") return "listing";
  return dialect.port.form === "field" ? "port" : "framed-port";
}

/**
 * What a reply field says, given what the reply can be: `followed` tells whether
 * bytes already arrived behind it, `tickets` whether the session agreed tickets.
 */
export function replyField(
  value: number,
  expecting: Exclude<Expecting, "none">,
  { followed, tickets }: { followed: boolean; tickets: boolean },
): PendingReply {
  return expecting === "port"
    ? portReplyField(value, !tickets && followed, tickets)
    : frameReplyField(value, expecting);
}

/**
 * A port-kind reply's field. A bare port is never followed at once by more bytes (the
 * server waits for the client to connect); a frame is. So a value with bytes already
 * behind it is a frame's length (a listing sent on the control connection, a status
 * line), and connecting to it as a port would reach some other service.
 */
function portReplyField(value: number, followed: boolean, tickets: boolean): PendingReply {
  if (followed && value > 5) return { kind: "frame", length: frameLength(value), as: "stray" };
  const reply = interpretReplyField(value);
  if (reply.kind === "framed-port") {
    return { kind: "frame", length: reply.length, as: "framed-port" };
  }
  return tickets && reply.kind === "port" ? { kind: "ticketed-port", port: reply.port } : reply;
}

/**
 * A field that can only be a frame's length or a refusal: negative is a silent
 * refusal; zero is ferry's refusal with a message behind it where one can follow
 * (`ok`, `refusal`), and otherwise an empty frame; positive is a frame.
 */
function frameReplyField(value: number, expecting: FramedExpectation): PendingReply {
  if (value < 0 || Object.is(value, -0)) return { kind: "refused-silently" };
  if (value === 0 && expecting !== "framed-port" && expecting !== "listing") {
    return { kind: "refused" };
  }
  const limit = expecting === "listing" ? MAX_LISTING_BYTES : MAX_MESSAGE_BYTES;
  return { kind: "frame", length: frameLength(value, limit), as: FRAME_READING[expecting] };
}

/** The expectations whose positive field is a frame's length. */
type FramedExpectation = Exclude<Expecting, "port" | "none">;

const FRAME_READING: { readonly [E in FramedExpectation]: FrameReading } = {
  ok: "ok",
  "framed-port": "port-or-refusal",
  listing: "listing",
  refusal: "refusal",
  inline: "inline",
};

/** Checks a reply frame's length against its limit before its bytes are awaited. */
function frameLength(value: number, limit = MAX_STRAY_FRAME): number {
  if (value > limit) {
    throw new ProtocolError(`Frame of ${value} bytes exceeds the ${limit}-byte limit`);
  }
  return value;
}

/**
 * What a reply frame says. `-1` (any negative number) is a refusal without a reason
 * in every reading: the framed form of a base server's silent refusal.
 */
export function frameEvent(as: FrameReading, bytes: Uint8Array): ClientEvent {
  const text = lenientUtf8.decode(bytes);
  if (as !== "stray" && /^-\d+$/.test(text)) return { type: "refused", message: undefined };
  switch (as) {
    case "framed-port":
      return { type: "port", port: parseFramedPort(text) };
    case "stray":
      return { type: "frame", text };
    case "listing":
      return { type: "listing", bytes };
    case "ok":
    case "inline": {
      const ok = parseOk(text);
      // Not an answer ferry sends: a base server's own way of saying no.
      return ok === undefined ? refusal(text) : { type: "ok", text: ok };
    }
    case "port-or-refusal": {
      const port = parseDataPort(text);
      return port === undefined ? refusal(text) : { type: "port", port };
    }
    case "refusal":
      return refusal(text);
  }
}

/** A refusal whose reason is `text` (none if it is empty). */
export function refusal(text: string): ClientEvent {
  return { type: "refused", message: printable(text) || undefined };
}
