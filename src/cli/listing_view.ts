/**
 * What `ls`, `ls -l`, `ls --json` and `lls` print, as pure functions of the entries:
 * names a person can type back, and for the long form sizes in units on a terminal
 * and in exact bytes when piped, so that scripts read exact figures.
 *
 * @module
 */

import { formatBytes } from "../common/sizes.ts";
import type { ListingEntry } from "../protocol/listing.ts";
import type { EntryType, LongEntry } from "../protocol/long_listing.ts";
import { quoteWord } from "./quote_word.ts";

const TYPE_WORDS: Record<EntryType, string> = { file: "file", folder: "folder", link: "link" };

/** `ls`: one name a line, a folder's with `/` (inside the quotes, if any). */
export function renderNames(entries: Iterable<ListingEntry>): string {
  return [...renderNamePieces(entries)].join("");
}

/** Past this many characters, {@linkcode renderNamePieces} hands over what it has. */
const PIECE_CHARS = 1 << 16;

/**
 * {@linkcode renderNames} in pieces of about 64 KiB, read from the entries as they
 * come: a listing of millions of names never becomes one string.
 */
export function* renderNamePieces(entries: Iterable<ListingEntry>): Generator<string> {
  let text = "";
  for (const entry of entries) {
    text += quoteWord(entry.name + (entry.isDirectory ? "/" : "")) + "\n";
    if (text.length >= PIECE_CHARS) {
      yield text;
      text = "";
    }
  }
  if (text !== "") yield text;
}

/**
 * `ls -l`. On a terminal: aligned columns, sizes in units, local time to the minute.
 * Piped: `TYPE BYTES TIME NAME`, single spaces, exact bytes, UTC to the second.
 */
export function renderLong(entries: readonly LongEntry[], terminal: boolean): string {
  const rows = entries.map((entry) => {
    const name = quoteWord(entry.path + (entry.type === "file" ? "" : "/"));
    const size = entry.type !== "file"
      ? "-"
      : terminal
      ? formatBytes(entry.size ?? 0)
      : String(entry.size ?? 0);
    const time = entry.modified === undefined
      ? "-"
      : terminal
      ? localMinute(entry.modified)
      : new Date(entry.modified).toISOString().replace(/\.\d{3}Z$/, "Z");
    return { type: TYPE_WORDS[entry.type], size, time, name };
  });
  if (!terminal) return rows.map((r) => `${r.type} ${r.size} ${r.time} ${r.name}\n`).join("");
  const width = Math.max(0, ...rows.map((row) => row.size.length));
  return rows
    .map((r) => `${r.type.padEnd(6)}  ${r.size.padStart(width)}  ${r.time}  ${r.name}\n`)
    .join("");
}

/** `ls --json`: an array, one entry a line, names exactly as they are. */
export function renderJson(entries: readonly LongEntry[]): string {
  const lines = entries.map((entry) =>
    JSON.stringify({
      name: entry.path,
      type: entry.type,
      size: entry.size ?? null,
      modified: entry.modified === undefined ? null : new Date(entry.modified).toISOString(),
    })
  );
  return lines.length === 0 ? "[]\n" : `[\n  ${lines.join(",\n  ")}\n]\n`;
}

/** `2025-03-01 12:00` in this machine's time zone. */
function localMinute(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}`;
}
