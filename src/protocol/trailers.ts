/**
 * The frames that vouch for a payload: the `get` trailer (`sha256 <hex>`) the
 * server sends after the file, and the `put` status (`ok sha256 <hex>` or
 * `error <message>`) it sends once the file is stored. PROTOCOL.md §4.2 and §4.3.
 *
 * @module
 */

import { ProtocolError } from "../common/errors.ts";
import { quote } from "../common/text.ts";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether `text` is a `get` trailer (rather than, say, a piece of a file). */
export function isTrailer(text: string): boolean {
  return /^sha256 [0-9a-fA-F]{64}$/.test(text);
}

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
  if (text === "error" || text.startsWith("error ")) {
    return { ok: false, message: text.slice(5).trim() || "The server reported an error" };
  }
  if (text.startsWith("ok ")) return { ok: true, sha256: parseTrailer(text.slice(3)) };
  throw new ProtocolError(
    `Cannot read upload status ${quote(text)}: expected "ok sha256 <hex>" or "error <message>"`,
  );
}
