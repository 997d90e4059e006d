/**
 * The wire pieces of the `resume` extension (PROTOCOL.md §19), with no I/O: the
 * arguments of `reget` and `reput`, a file's version as the server names it, and
 * the frame in which the server says what it kept of an interrupted upload.
 *
 * @module
 */

import { quote } from "../common/text.ts";

/** What `reget` carries: how much the client holds, of which version, with what digest. */
export interface RegetArguments {
  /** Bytes the client holds already; 0 for a fresh `get`. */
  offset: number;
  /** The version those bytes are of, as the server named it; none for a fresh `get`. */
  version?: string;
  /** The hex digest of those bytes; none for a fresh `get`. */
  digest?: string;
  name: string;
}

/** What `reput` carries: the client's key for this upload, and where it goes. */
export interface ReputArguments {
  /** 32 lowercase hex digits the client holds: the upload's one name for a resume. */
  key: string;
  name: string;
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const VERSION = /^[0-9a-z-]{1,64}$/;
const HEX = /^[0-9a-f]{16,128}$/;
const KEY = /^[0-9a-f]{32}$/;

/**
 * Reads `OFFSET VERSION DIGEST NAME` (`-` for no version or digest); the name is the
 * rest, taken literally. A string is why not.
 */
export function parseRegetArguments(argument: string | undefined): RegetArguments | string {
  const usage = "Command reget needs an offset, a version, a digest and a file name";
  const parts = /^(\S+) (\S+) (\S+) (.+)$/s.exec(argument ?? "");
  if (!parts) return usage;
  const [, offsetText, versionText, digestText, name] = parts;
  const offset = Number(offsetText);
  if (!DECIMAL.test(offsetText) || !Number.isSafeInteger(offset)) {
    return `Command reget needs a byte offset, not ${quote(offsetText, 40)}`;
  }
  if (versionText !== "-" && !VERSION.test(versionText)) {
    return `Command reget needs a file version, not ${quote(versionText, 80)}`;
  }
  if (digestText !== "-" && !HEX.test(digestText)) {
    return `Command reget needs a hex digest, not ${quote(digestText, 80)}`;
  }
  if ((offset > 0) !== (digestText !== "-")) {
    return "Command reget needs a digest exactly when its offset is above 0";
  }
  return {
    offset,
    ...(versionText === "-" ? {} : { version: versionText }),
    ...(digestText === "-" ? {} : { digest: digestText }),
    name,
  };
}

/** The text after `reget`. */
export function formatRegetArguments({ offset, version, digest, name }: RegetArguments): string {
  return `${offset} ${version ?? "-"} ${digest ?? "-"} ${name}`;
}

/** Reads `KEY NAME`; a string is why not. */
export function parseReputArguments(argument: string | undefined): ReputArguments | string {
  const parts = /^(\S+) (.+)$/s.exec(argument ?? "");
  if (!parts) return "Command reput needs a key and a file name";
  if (!KEY.test(parts[1])) {
    return `Command reput needs a key of 32 lowercase hex digits, not ${quote(parts[1], 40)}`;
  }
  return { key: parts[1], name: parts[2] };
}

/** The text after `reput`. */
export function formatReputArguments({ key, name }: ReputArguments): string {
  return `${key} ${name}`;
}

/** A file's version as the server names it: its size and modification time. */
export function formatVersion(size: number, mtime: number | null): string {
  return mtime === null ? `${size}` : `${size}-${Math.trunc(mtime)}`;
}

/** What the server kept of an interrupted upload: `bytes`, with the hex digest of them. */
export interface Kept {
  bytes: number;
  /** The digest of the kept bytes; none when nothing is kept. */
  digest?: string;
}

/** The frame that starts a `reput`'s data connection: `from 0`, or `from N <hex>`. */
export function formatKept({ bytes, digest }: Kept): string {
  return bytes === 0 || digest === undefined ? "from 0" : `from ${bytes} ${digest}`;
}

/** Reads a `from` frame; `undefined` if it is not one. */
export function parseKept(text: string): Kept | undefined {
  const match = /^from (0|[1-9][0-9]{0,15})(?: ([0-9a-f]{16,128}))?$/.exec(text);
  if (!match) return undefined;
  const bytes = Number(match[1]);
  if (!Number.isSafeInteger(bytes) || (bytes > 0) !== (match[2] !== undefined)) return undefined;
  return bytes === 0 ? { bytes } : { bytes, digest: match[2] };
}
