/**
 * A framed payload's first frame (PROTOCOL.md §16): `size N`, or in a session that
 * agreed `resume` (§19) `size N from K version V`, with no I/O.
 *
 * @module
 */

/** What an announcement says: the file's size, where the bytes sent start, its version. */
export interface Announcement {
  total: number;
  /** The first byte sent: 0 but in a resumed transfer. */
  from: number;
  /** The file's version, as the server names it (a resumed `get`, §19). */
  version?: string;
}

const DECIMAL = "(0|[1-9][0-9]{0,15})";
const ANNOUNCEMENT = new RegExp(
  `^size ${DECIMAL}(?: from ${DECIMAL})?(?: version ([0-9a-z-]{1,64}))?$`,
);

/**
 * What an announcement (`size 1234`, or in a `resume` session `size 1234 from 512
 * version 1234-1764590000123`) says; `undefined` if it is not one, or starts past the end.
 */
export function parseAnnouncement(text: string): Announcement | undefined {
  const match = ANNOUNCEMENT.exec(text);
  if (!match) return undefined;
  const total = Number(match[1]);
  const from = match[2] === undefined ? 0 : Number(match[2]);
  if (!Number.isSafeInteger(total) || !Number.isSafeInteger(from) || from > total) return undefined;
  return match[3] === undefined ? { total, from } : { total, from, version: match[3] };
}

/** A framed payload's announcement of a `total`-byte file, sent from byte `from` on. */
export function formatAnnouncement(
  total: number,
  { from = 0, version }: { from?: number; version?: string } = {},
): string {
  if (!Number.isSafeInteger(total) || total < 0 || !Number.isSafeInteger(from) || from > total) {
    throw new RangeError(
      `Cannot announce ${total} bytes from ${from}: expected whole numbers, the start within the size`,
    );
  }
  const start = from > 0 || version !== undefined ? ` from ${from}` : "";
  return `size ${total}${start}${version === undefined ? "" : ` version ${version}`}`;
}
