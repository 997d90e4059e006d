/**
 * The `ls` payload: one line per entry, `/` after a folder's name, LF after each.
 * PROTOCOL.md §4.1.
 *
 * @module
 */

/** Upper bound for a listing frame a client accepts. */
export const MAX_LISTING_BYTES = 64 << 20;

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
