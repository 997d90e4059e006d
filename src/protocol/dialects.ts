/**
 * The dialects of the classic protocol that cannot be told apart from the bytes
 * alone, so the user names one (`--dialect`, PROTOCOL.md §15). A dialect is data: a
 * few choices that the state machines and the transfers read, never a branch of its
 * own through the session. `ferry` is the protocol of §2–§8, and the default.
 *
 * @module
 */

import type { Feature } from "./features.ts";
import { encodeFrame } from "./field.ts";
import { concatBytes, formatPort, formatRefusal } from "./replies.ts";

/**
 * Who picks the data port, and how it crosses the control connection:
 * - `server`: the server listens and answers with the port, as a bare `field` or a
 *   `frame` holding its digits (passive, as in §3);
 * - `client`: the client listens and sends its port, as a `frame` of its own right
 *   after the command or `inline` at the command's end (`get f 41234`); the server
 *   connects to it and says nothing on the control connection unless it refuses
 *   (active, the course handout's direction).
 */
export type PortRoute =
  | { readonly by: "server"; readonly form: "field" | "frame" }
  | { readonly by: "client"; readonly form: "frame" | "inline" };

/** One dialect's choices. */
export interface Dialect {
  readonly name: DialectName;
  /** One line for `--help`. */
  readonly summary: string;
  readonly port: PortRoute;
  /** How the server refuses: `0` and a message frame, or the frame `-1`. */
  readonly refusal: "message" | "framed-minus-one";
  /**
   * Whether a `get` trailer and a `put` status vouch for the payload. Without them
   * the server ends its side of the data connection where they would go, so a peer
   * that reads to the end of the stream gets exactly the file.
   */
  readonly vouches: boolean;
  /** Where `ls` answers: a data connection, or one frame on the control connection. */
  readonly listing: "data" | "control";
}

/** The names `--dialect` takes. */
export type DialectName = "ferry" | "framed" | "active" | "active-inline";

/** Every dialect, in the order `--help` lists them. */
export const DIALECTS: { readonly [N in DialectName]: Dialect } = {
  ferry: {
    name: "ferry",
    summary: "bare port, refusals with a reason, checksums (the default)",
    port: { by: "server", form: "field" },
    refusal: "message",
    vouches: true,
    listing: "data",
  },
  framed: {
    name: "framed",
    summary: "framed port and -1, no checksums, ls on the control connection",
    port: { by: "server", form: "frame" },
    refusal: "framed-minus-one",
    vouches: false,
    listing: "control",
  },
  active: {
    name: "active",
    summary: "the client listens; its port is a frame after the command",
    port: { by: "client", form: "frame" },
    refusal: "message",
    vouches: false,
    listing: "data",
  },
  "active-inline": {
    name: "active-inline",
    summary: "the client listens; its port ends the command (get NAME PORT)",
    port: { by: "client", form: "inline" },
    refusal: "message",
    vouches: false,
    listing: "data",
  },
};

/** The protocol of PROTOCOL.md §2–§8. */
export const FERRY_DIALECT: Dialect = DIALECTS.ferry;

/** Whether `text` names a dialect. */
export function isDialectName(text: string): text is DialectName {
  return Object.hasOwn(DIALECTS, text);
}

/** The extensions whose payloads end in a checksum: not for a dialect that sends none. */
const VOUCHING = new Set(["frames", "digest", "inline", "resume"]);

/**
 * The extensions of `features` that make sense in `dialect`: all of them, but
 * `frames` (PROTOCOL.md §16), `digest` (§17), `inline` (§18) and `resume` (§19) only
 * where payloads are vouched for, since each carries a checksum and a dialect without
 * trailers has none to send.
 */
export function dialectFeatures(dialect: Dialect, features: readonly Feature[]): Feature[] {
  return features.filter((feature) => dialect.vouches || !VOUCHING.has(feature.name));
}

/** Whether the client opens the data port (the server connects to it). */
export function isActive(dialect: Dialect): boolean {
  return dialect.port.by === "client";
}

/** The server's framed refusal: `0000000002-1`, with no reason. */
const FRAMED_REFUSAL = encodeFrame("-1");

/** A refusal in `dialect`'s form; the framed form has no room for `message`. */
export function formatDialectRefusal(dialect: Dialect, message: string): Uint8Array {
  return dialect.refusal === "message" ? formatRefusal(message) : FRAMED_REFUSAL;
}

/** A passive server's answer naming its data port. */
export function formatPortReply(dialect: Dialect, port: number): Uint8Array {
  if (dialect.port.by !== "server") {
    throw new TypeError(`Cannot send a port in the ${dialect.name} dialect: the client sends it`);
  }
  return dialect.port.form === "field" ? formatPort(port) : encodeFrame(String(port));
}

/**
 * A command frame as an active client sends it: the command's text with its data
 * port where the dialect puts it (a frame of its own after it, or at its end).
 */
export function formatActiveCommand(dialect: Dialect, text: string, port: number): Uint8Array {
  if (dialect.port.by !== "client") {
    throw new TypeError(`Cannot send a data port in the ${dialect.name} dialect: the server does`);
  }
  return dialect.port.form === "inline"
    ? encodeFrame(`${text} ${port}`)
    : concatBytes(encodeFrame(text), encodeFrame(String(port)));
}

/** A data port as text on the wire: 1 to 5 digits, 1 to 65535; `undefined` otherwise. */
export function parseDataPort(text: string): number | undefined {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Splits the data port off the end of an `active-inline` command: `get a b.txt 41234`
 * is `get a b.txt` and 41234. `undefined` if its last word is not a port.
 */
export function splitInlinePort(text: string): { text: string; port: number } | undefined {
  const space = text.lastIndexOf(" ");
  const port = space === -1 ? undefined : parseDataPort(text.slice(space + 1));
  return port === undefined ? undefined : { text: text.slice(0, space), port };
}
