/**
 * The frames that vouch for a payload: the `get` trailer (`<digest> <hex>`) the
 * server sends after the file, the `put` status (`ok <digest> <hex>` or
 * `error <message>`) it sends once the file is stored, and the end frame of a framed
 * payload (`<digest> <hex>` or `error <message>`). PROTOCOL.md §4.2, §4.3, §16 and
 * §17. The digest is the session's: `sha256` in the base protocol, or the one agreed
 * with `feat digest=...`; a frame naming another one is a protocol error.
 *
 * @module
 */

import { BASE_DIGEST, DIGEST_HEX_LENGTH, type DigestName, isDigestName } from "../common/digest.ts";
import { ProtocolError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import type { FeatureSet } from "./features.ts";

/** The length of a trailer's text for `digest`: its name, a space and its hex digits. */
export function trailerLength(digest: DigestName = BASE_DIGEST): number {
  return digest.length + 1 + DIGEST_HEX_LENGTH[digest];
}

/** Whether `text` is a `get` trailer for `digest` (rather than, say, a piece of a file). */
export function isTrailer(text: string, digest: DigestName = BASE_DIGEST): boolean {
  return text.length === trailerLength(digest) && text.startsWith(`${digest} `) &&
    /^[0-9a-fA-F]+$/.test(text.slice(digest.length + 1));
}

/** Formats the trailer a server sends after a `get` payload. */
export function formatTrailer(hex: string, digest: DigestName = BASE_DIGEST): string {
  return `${digest} ${hex}`;
}

/** Parses a `get` trailer (or a `hash` answer) into the hex digest it declares. */
export function parseTrailer(text: string, digest: DigestName = BASE_DIGEST): string {
  if (!isTrailer(text, digest)) {
    throw new ProtocolError(
      `Cannot read trailer ${quote(text)}: expected "${digest} <${
        DIGEST_HEX_LENGTH[digest]
      } hex digits>"`,
    );
  }
  return text.slice(digest.length + 1).toLowerCase();
}

/** The server's answer to the bytes of a `put`: `hex` is in the session's digest. */
export type PutStatus = { ok: true; hex: string } | { ok: false; message: string };

/** Formats a `put` status frame. */
export function formatStatus(status: PutStatus, digest: DigestName = BASE_DIGEST): string {
  return status.ok ? `ok ${formatTrailer(status.hex, digest)}` : `error ${status.message}`;
}

/** Parses a `put` status frame. */
export function parseStatus(text: string, digest: DigestName = BASE_DIGEST): PutStatus {
  if (isError(text)) {
    return { ok: false, message: errorMessage(text, "The server reported an error") };
  }
  if (text.startsWith("ok ")) return { ok: true, hex: parseTrailer(text.slice(3), digest) };
  throw new ProtocolError(
    `Cannot read upload status ${quote(text)}: expected "ok ${digest} <hex>" or "error <message>"`,
  );
}

/**
 * How a framed payload ends: the digest of all its data, or why the sender stopped
 * (the same two answers as a `put` status, PROTOCOL.md §16).
 */
export type PayloadEnd = PutStatus;

/** Formats a framed payload's end frame: `<digest> <hex>` or `error <message>`. */
export function formatEnd(end: PayloadEnd, digest: DigestName = BASE_DIGEST): string {
  return end.ok ? formatTrailer(end.hex, digest) : `error ${end.message}`;
}

/** Parses a framed payload's end frame. */
export function parseEnd(text: string, digest: DigestName = BASE_DIGEST): PayloadEnd {
  if (isError(text)) {
    return { ok: false, message: errorMessage(text, "The sender stopped without saying why") };
  }
  return { ok: true, hex: parseTrailer(text, digest) };
}

function isError(text: string): boolean {
  return text === "error" || text.startsWith("error ");
}

function errorMessage(text: string, fallback: string): string {
  return text.slice(5).trim() || fallback;
}

/**
 * The digest a session's trailers, statuses, end frames and `hash` answers name: the
 * one agreed with `feat digest=...` (PROTOCOL.md §17), or the base protocol's `sha256`.
 */
export function sessionDigest(features: FeatureSet): DigestName {
  const agreed = features.value("digest");
  return agreed !== undefined && isDigestName(agreed) ? agreed : BASE_DIGEST;
}
