/**
 * The `ls` payload: one line per entry, `/` after a folder's name, LF after each.
 * PROTOCOL.md §4.1.
 *
 * Both ends handle listings of any size at a cost that grows with the listing and
 * never stalls the caller: {@linkcode listingSteps} builds one in steps a server can
 * pause between (so other sessions run), and {@linkcode Listing} reads one lazily,
 * in about twice its size of memory whatever its names, where an array of entries
 * costs some 50 bytes per entry (25 times a listing of one-letter names).
 *
 * @module
 */

import { concatBytes } from "./replies.ts";

/** Upper bound for a listing frame a client accepts. */
export const MAX_LISTING_BYTES = 64 << 20;

/** One entry of a directory listing. */
export interface ListingEntry {
  name: string;
  isDirectory: boolean;
}

/** Formats a listing: names in code-point order, one per line, `/` after folders. */
export function formatListing(entries: readonly ListingEntry[]): string {
  const steps = listingSteps(entries);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return new TextDecoder().decode(concatBytes(...step.value));
}

/**
 * Builds a listing's bytes (see {@linkcode formatListing}) as a generator that yields
 * every few hundred entries' work, so that its caller can let others run between steps;
 * returns the listing as chunks of at most 64 KiB.
 */
export function* listingSteps(entries: readonly ListingEntry[]): Generator<void, Uint8Array[]> {
  // Sorted as indices over the keys: no object per entry, so little for the GC to copy.
  const keys = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    keys[i] = sortKey(entries[i].name);
    if (i % STEP === STEP - 1) yield;
  }
  const order = yield* mergeSortSteps(keys);
  return yield* encodeSteps(entries, order);
}

/** Parses a listing frame into an array; tolerates a missing final newline and CRLF line ends. */
export function parseListing(text: string): ListingEntry[] {
  return [...new Listing(text)];
}

/**
 * A received listing, kept as its text and read entry by entry (see the module doc).
 * Reads as {@linkcode parseListing} does: LF or CRLF line ends, empty lines skipped.
 */
export class Listing implements Iterable<ListingEntry> {
  readonly #text: string;
  /** How many entries it holds. */
  readonly size: number;

  constructor(text: string) {
    this.#text = text;
    this.size = countLines(text);
  }

  *[Symbol.iterator](): Iterator<ListingEntry> {
    for (const line of lines(this.#text)) {
      yield line.endsWith("/")
        ? { name: line.slice(0, -1), isDirectory: true }
        : { name: line, isDirectory: false };
    }
  }
}

/** The non-empty lines of `text`, without their LF or CRLF. */
function* lines(text: string): Generator<string> {
  for (let start = 0; start < text.length;) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.charCodeAt(end - 1) === CR && end > start
      ? text.slice(start, end - 1)
      : text.slice(start, end);
    if (line !== "") yield line;
    start = end + 1;
  }
}

const CR = 0x0d;

/** How many lines {@linkcode lines} would give, without making them. */
function countLines(text: string): number {
  let count = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const length = end - start - (end > start && text.charCodeAt(end - 1) === CR ? 1 : 0);
    if (length > 0) count++;
    start = end + 1;
  }
  return count;
}

/** Compares by Unicode code point (JavaScript's `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const [left, right] = [sortKey(a), sortKey(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * A string whose UTF-16 order is `name`'s code-point order, to compare with the
 * native `<`: `name` itself unless it holds a surrogate or U+E000–U+FFFF, the two
 * ranges the two orders disagree on; then those code units are moved so that the
 * surrogates (code points past U+FFFF) sort above U+E000–U+FFFF.
 */
function sortKey(name: string): string {
  if (!HIGH.test(name)) return name;
  let key = "";
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    key += String.fromCharCode(
      unit < 0xd800 ? unit : unit >= 0xe000 ? unit - 0x800 : unit + 0x2000,
    );
  }
  return key;
}

const HIGH = /[\ud800-\uffff]/;

/** Work between two yields: this many items sorted, merged or encoded. */
const STEP = 512;

/**
 * The order that sorts `keys` (by UTF-16 code unit, natively), as indices: a stable
 * bottom-up merge sort that yields every {@linkcode STEP} indices placed; runs of
 * {@linkcode STEP} are sorted natively first.
 */
function* mergeSortSteps(keys: readonly string[]): Generator<void, Uint32Array> {
  const compare = (a: number, b: number) => keys[a] < keys[b] ? -1 : keys[b] < keys[a] ? 1 : a - b;
  let from = new Uint32Array(keys.length).map((_, i) => i);
  for (let start = 0; start < from.length; start += STEP) {
    from.subarray(start, start + STEP).sort(compare);
    yield;
  }
  let to = new Uint32Array(from.length);
  for (let width = STEP; width < from.length; width *= 2) {
    let out = 0;
    for (let start = 0; start < from.length; start += 2 * width) {
      let [i, j] = [start, Math.min(start + width, from.length)];
      const [middle, end] = [j, Math.min(start + 2 * width, from.length)];
      while (i < middle || j < end) {
        const takeLeft = j >= end || (i < middle && !(keys[from[j]] < keys[from[i]]));
        to[out++] = takeLeft ? from[i++] : from[j++];
        if (out % STEP === 0) yield;
      }
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Encodes entries, in `order`, as listing lines into chunks of at most 64 KiB, yielding as it goes. */
function* encodeSteps(
  entries: readonly ListingEntry[],
  order: Uint32Array,
): Generator<void, Uint8Array[]> {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let chunk = new Uint8Array(CHUNK_BYTES);
  let used = 0;
  for (let index = 0; index < order.length; index++) {
    const { name, isDirectory } = entries[order[index]];
    for (let rest = name + (isDirectory ? "/\n" : "\n"); rest !== "";) {
      const { read, written } = encoder.encodeInto(rest, chunk.subarray(used));
      used += written;
      rest = rest.slice(read);
      if (rest !== "") {
        chunks.push(chunk.subarray(0, used));
        [chunk, used] = [new Uint8Array(CHUNK_BYTES), 0];
      }
    }
    if (index % STEP === STEP - 1) yield;
  }
  if (used > 0) chunks.push(chunk.subarray(0, used));
  return chunks;
}

const CHUNK_BYTES = 64 << 10;
