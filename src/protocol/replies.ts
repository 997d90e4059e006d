/**
 * What the server answers on the control connection, as bytes and as data: a bare
 * port field, a refusal (`0000000000` + one message frame), and, for extension verbs
 * only, an `ok` frame. Also how a client reads the forms that base-protocol servers
 * use (framed ports, `-1`). PROTOCOL.md §3, §6 and §9.
 *
 * @module
 */

import { ProtocolError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { encodeField, encodeFrame, FIELD_LENGTH } from "./field.ts";

/** Upper bound for the one-line frames: refusals, `ok` answers, trailers and statuses. */
export const MAX_MESSAGE_BYTES = 4096;

/** The bare field that names a data port. */
export function formatPort(port: number): Uint8Array {
  return encodeField(port);
}

/**
 * A refusal: the zero field, then one frame holding the message, cut to
 * {@linkcode MAX_MESSAGE_BYTES} (at a character boundary) so every client can read it.
 */
export function formatRefusal(message: string): Uint8Array {
  const text = new Uint8Array(MAX_MESSAGE_BYTES);
  const { written } = new TextEncoder().encodeInto(message, text);
  const bytes = new Uint8Array(2 * FIELD_LENGTH + written);
  bytes.set(encodeField(0));
  bytes.set(encodeFrame(text.subarray(0, written)), FIELD_LENGTH);
  return bytes;
}

/** The positive answer to an extension verb: a frame holding `ok`, or `ok <text>`. */
export function formatOk(text = ""): Uint8Array {
  return encodeFrame(text === "" ? "ok" : `ok ${text}`);
}

/** The text of an `ok` frame after `ok `; `undefined` if the frame is not an `ok`. */
export function parseOk(text: string): string | undefined {
  if (text === "ok") return "";
  return text.startsWith("ok ") ? text.slice(3) : undefined;
}

/**
 * How a client reads the 10-byte field that answers `ls`, `get` or `put`:
 * - `port`: connect to this data port;
 * - `framed-port`: a base-protocol peer sent the port as a frame of this length;
 * - `refused`: zero, and one frame with the reason follows;
 * - `refused-silently`: negative, and nothing follows.
 */
export type ReplyField =
  | { kind: "port"; port: number }
  | { kind: "framed-port"; length: number }
  | { kind: "refused" }
  | { kind: "refused-silently" };

/** The largest field a framed port can have: "65535" is five digits. */
const MAX_FRAMED_PORT_LENGTH = 5;

/** Interprets the signed value of a reply field. */
export function interpretReplyField(value: number): ReplyField {
  if (value < 0 || Object.is(value, -0)) return { kind: "refused-silently" };
  if (value === 0) return { kind: "refused" };
  if (value <= MAX_FRAMED_PORT_LENGTH) return { kind: "framed-port", length: value };
  if (value > 65535) {
    throw new ProtocolError(`Server replied with port ${value}: expected at most 65535`);
  }
  return { kind: "port", port: value };
}

/** Parses the payload of a framed port, such as `41234`. */
export function parseFramedPort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new ProtocolError(`Server replied with port ${quote(text)}: expected 1 to 65535`);
  }
  return port;
}

/**
 * Whether bytes start like a TLS record (a handshake or an alert): what a classic
 * peer receives from, or sends to, ferry's encrypted mode. Two bytes are enough.
 */
export function looksLikeTls(start: Uint8Array | undefined): boolean {
  return start !== undefined && start.byteLength >= 2 &&
    (start[0] === 0x15 || start[0] === 0x16) && start[1] === 0x03;
}

/** Joins byte arrays, for replies that go out in one write. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}
