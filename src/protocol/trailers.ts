/**
 * The frames that vouch for a payload: the `get` trailer (`sha256 <hex>`) the
 * server sends after the file, the `put` status (`ok sha256 <hex>` or
 * `error <message>`) it sends once the file is stored, and the end frame of a framed
 * payload (`sha256 <hex>` or `error <message>`). PROTOCOL.md §4.2, §4.3 and §16.
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
  if (isError(text)) {
    return { ok: false, message: errorMessage(text, "The server reported an error") };
  }
  if (text.startsWith("ok ")) return { ok: true, sha256: parseTrailer(text.slice(3)) };
  throw new ProtocolError(
    `Cannot read upload status ${quote(text)}: expected "ok sha256 <hex>" or "error <message>"`,
  );
}

/**
 * How a framed payload ends: the SHA-256 of all its data, or why the sender stopped
 * (the same two answers as a `put` status, PROTOCOL.md §16).
 */
export type PayloadEnd = PutStatus;

/** Formats a framed payload's end frame: `sha256 <hex>` or `error <message>`. */
export function formatEnd(end: PayloadEnd): string {
  return end.ok ? formatTrailer(end.sha256) : `error ${end.message}`;
}

/** Parses a framed payload's end frame. */
export function parseEnd(text: string): PayloadEnd {
  if (isError(text)) {
    return { ok: false, message: errorMessage(text, "The sender stopped without saying why") };
  }
  return { ok: true, sha256: parseTrailer(text) };
}

function isError(text: string): boolean {
  return text === "error" || text.startsWith("error ");
}

function errorMessage(text: string, fallback: string): string {
  return text.slice(5).trim() || fallback;
}
