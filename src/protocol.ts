/**
 * Commands, replies and the small text frames of the ferry protocol, as data.
 *
 * Pure `parse*`/`format*` functions with no I/O, so every rule here can be tested
 * by feeding it strings. `docs/PROTOCOL.md` is the normative description.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";
import { hasControlCharacter, quote } from "./text.ts";

/** A command frame over this many bytes is a protocol error. */
export const MAX_COMMAND_BYTES = 4096;

/** Upper bound for the one-line frames: refusals, trailers and put statuses. */
export const MAX_MESSAGE_BYTES = 4096;

/** Upper bound for a listing frame a client accepts. */
export const MAX_LISTING_BYTES = 64 << 20;

/** The longest file name, in UTF-8 bytes, that common file systems store. */
export const MAX_NAME_BYTES = 255;

/** A command a client sends on the control connection. */
export type Command =
  | { kind: "ls" }
  | { kind: "get"; name: string }
  | { kind: "put"; name: string }
  | { kind: "quit" };

/** What a server makes of a command frame: a command, or the reason it is refused. */
export type ParsedCommand = Command | { kind: "invalid"; reason: string };

/**
 * Parses the text of a command frame. The verb is case-insensitive; the name is
 * everything after the first space, taken literally (it may contain spaces).
 */
export function parseCommand(text: string): ParsedCommand {
  const space = text.indexOf(" ");
  const verb = (space === -1 ? text : text.slice(0, space)).toLowerCase();
  const argument = space === -1 ? undefined : text.slice(space + 1);
  switch (verb) {
    case "ls":
    case "quit":
      if (argument !== undefined && argument.trim() !== "") {
        return { kind: "invalid", reason: `Command ${verb} takes no argument` };
      }
      return { kind: verb };
    case "get":
    case "put": {
      if (argument === undefined || argument === "") {
        return { kind: "invalid", reason: `Command ${verb} needs a file name` };
      }
      const problem = nameProblem(argument);
      if (problem) return { kind: "invalid", reason: problem };
      return { kind: verb, name: argument };
    }
    default:
      return {
        kind: "invalid",
        reason: `Unknown command ${quote(verb, 40)}: expected ls, get, put or quit`,
      };
  }
}

/** Formats a command as the text of its frame. */
export function formatCommand(command: Command): string {
  return command.kind === "get" || command.kind === "put"
    ? `${command.kind} ${command.name}`
    : command.kind;
}

/**
 * Why `name` cannot be a file name on the wire, or `undefined` if it can.
 * A name is one path segment: not empty, not `.` or `..`, no `/`, `\`, NUL or other
 * control character, and at most {@linkcode MAX_NAME_BYTES} bytes of UTF-8.
 */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "File name is empty";
  if (name === "." || name === "..") {
    return `File name ${quote(name)} is not allowed: it names a folder, not a file`;
  }
  if (name.includes("/") || name.includes("\\")) {
    return `File name ${quote(name)} is not allowed: it must not contain / or \\`;
  }
  if (hasControlCharacter(name)) {
    return `File name ${quote(name)} is not allowed: it contains a control character`;
  }
  if (new TextEncoder().encode(name).byteLength > MAX_NAME_BYTES) {
    return `File name ${quote(name, 40)} is longer than ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
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
  if (value < 0) return { kind: "refused-silently" };
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

/** One entry of a directory listing. */
export interface ListingEntry {
  name: string;
  isDirectory: boolean;
}

/** Formats a listing: names in code-point order, one per line, `/` after folders. */
export function formatListing(entries: readonly ListingEntry[]): string {
  return [...entries]
    .sort((a, b) => compareCodePoints(a.name, b.name))
    .map((entry) => entry.name + (entry.isDirectory ? "/\n" : "\n"))
    .join("");
}

/** Parses a listing frame; tolerates a missing final newline and CRLF line ends. */
export function parseListing(text: string): ListingEntry[] {
  return text.split("\n")
    .map((line) => line.endsWith("\r") ? line.slice(0, -1) : line)
    .filter((line) => line !== "")
    .map((line) =>
      line.endsWith("/")
        ? { name: line.slice(0, -1), isDirectory: true }
        : { name: line, isDirectory: false }
    );
}

/** Compares by Unicode code point (JavaScript's `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Formats the trailer a server sends after a `get` payload. */
export function formatTrailer(sha256: string): string {
  return `sha256 ${sha256}`;
}

/** Parses a `get` trailer into the hex digest it declares. */
export function parseTrailer(text: string): string {
  const digest = text.startsWith("sha256 ") ? text.slice(7).toLowerCase() : "";
  if (!SHA256_HEX.test(digest)) {
    throw new ProtocolError(
      `Cannot read trailer ${quote(text)}: expected "sha256 <64 hex digits>"`,
    );
  }
  return digest;
}

/** The server's answer to the bytes of a `put`. */
export type PutStatus = { ok: true; sha256: string } | { ok: false; message: string };

/** Formats a `put` status frame. */
export function formatStatus(status: PutStatus): string {
  return status.ok ? `ok sha256 ${status.sha256}` : `error ${status.message}`;
}

/** Parses a `put` status frame. */
export function parseStatus(text: string): PutStatus {
  if (text.startsWith("error")) {
    return { ok: false, message: text.slice(5).trim() || "The server reported an error" };
  }
  if (text.startsWith("ok ")) return { ok: true, sha256: parseTrailer(text.slice(3)) };
  throw new ProtocolError(
    `Cannot read upload status ${quote(text)}: expected "ok sha256 <hex>" or "error <message>"`,
  );
}
