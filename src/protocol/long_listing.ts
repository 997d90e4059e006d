/**
 * The `list` and `tree` payload (PROTOCOL.md §13): one line per entry, each
 * `TYPE SIZE MODIFIED PATH` then LF, so that a client sees how big a file is before
 * it fetches it, and can plan a recursive transfer from one listing.
 *
 * - TYPE: `f` a file, `d` a folder, `l` a link to a folder that `tree` does not
 *   follow (so a tree never loops);
 * - SIZE: bytes, in decimal, for a file; `-` otherwise;
 * - MODIFIED: UTC to the second, `2025-03-01T12:00:00Z`, or `-` if unknown;
 * - PATH: the rest of the line (it may hold spaces): a name for `list`, a path
 *   relative to the listed folder for `tree`.
 *
 * @module
 */

import { ProtocolError } from "../common/errors.ts";
import { quote } from "../common/text.ts";

/** What an entry is. */
export type EntryType = "file" | "folder" | "link";

/** One line of a long listing. */
export interface LongEntry {
  /** A name (`list`), or a path below the listed folder (`tree`). */
  path: string;
  type: EntryType;
  /** Bytes, for a file. */
  size?: number;
  /** Milliseconds since 1970 (whole seconds), if known. */
  modified?: number;
}

const TYPE_LETTERS: Record<EntryType, string> = { file: "f", folder: "d", link: "l" };
const LETTER_TYPES: Record<string, EntryType> = { f: "file", d: "folder", l: "link" };

/** Formats entries in the order given, one line each. */
export function formatLongListing(entries: Iterable<LongEntry>): string {
  let text = "";
  for (const entry of entries) text += formatLongEntry(entry);
  return text;
}

/** One entry's line, with its LF. */
export function formatLongEntry(entry: LongEntry): string {
  const size = entry.type === "file" ? String(entry.size ?? 0) : "-";
  const modified = entry.modified === undefined ? "-" : formatTime(entry.modified);
  return `${TYPE_LETTERS[entry.type]} ${size} ${modified} ${entry.path}\n`;
}

/** `2025-03-01T12:00:00Z`: ISO 8601, UTC, whole seconds. */
function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

const LINE = /^([fdl]) (\d{1,16}|-) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|-) (.+)$/;

/**
 * Parses a long listing; tolerates CRLF and a missing final LF, as `ls` does. A line
 * of any other shape is the server breaking the protocol.
 */
export function parseLongListing(text: string): LongEntry[] {
  const entries: LongEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "") continue;
    const match = LINE.exec(line);
    const type = match ? LETTER_TYPES[match[1]] : undefined;
    const size = match?.[2] === "-" ? undefined : Number(match?.[2]);
    const modified = match?.[3] === "-" ? undefined : Date.parse(match?.[3] ?? "");
    if (!match || !type || (type === "file") !== (size !== undefined) || Number.isNaN(modified)) {
      throw new ProtocolError(`The server's listing has a malformed line: ${quote(line, 80)}`);
    }
    entries.push({ path: match[4], type, size, modified });
  }
  return entries;
}
