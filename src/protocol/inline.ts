/**
 * Small files on the control connection (the `inline` extension, PROTOCOL.md §18):
 * what the server's answer to `fetch` says, as pure functions. The answer is an `ok`
 * frame holding the file's digest, `ok <digest> <hex>`, with the file's bytes in one
 * frame right behind it; or, for a file over {@linkcode MAX_INLINE_BYTES},
 * `ok size <N>` and nothing behind it, which sends the client to `get`.
 *
 * @module
 */

import type { DigestName } from "../common/digest.ts";
import { isTrailer, parseTrailer } from "./trailers.ts";

/**
 * The most bytes a `fetch` answer carries. Small enough that a session with 16
 * answers in flight holds 4 MiB at most; large enough for the files that a data
 * connection each would make slow (a connection costs about a millisecond of CPU
 * at each end; 256 KiB take about that to copy).
 */
export const MAX_INLINE_BYTES = 256 * 1024;

/** What a `fetch` answer's `ok` text says. */
export type InlineAnswer =
  /** The file's bytes follow in one frame; `hex` is their digest in the session's digest. */
  | { type: "file"; hex: string }
  /** The file is over the inline limit: this is its size, and nothing follows. */
  | { type: "too-large"; size: number };

/** Formats the `ok` text for a file: `<digest> <hex>`. */
export function formatInlineFile(hex: string, digest: DigestName): string {
  return `${digest} ${hex}`;
}

/** Formats the `ok` text for a file over the limit: `size <N>`. */
export function formatTooLarge(size: number): string {
  return `size ${size}`;
}

/** Reads a `fetch` answer's `ok` text; a string is why it cannot be one. */
export function parseInlineAnswer(text: string, digest: DigestName): InlineAnswer | string {
  const size = /^size (0|[1-9][0-9]{0,15})$/.exec(text);
  if (size) return { type: "too-large", size: Number(size[1]) };
  if (isTrailer(text, digest)) return { type: "file", hex: parseTrailer(text, digest) };
  return `expected "${digest} <hex>" or "size <N>"`;
}

/** Whether a `fetch` answer's `ok` text has a file's bytes behind it. */
export function answerHasPayload(text: string): boolean {
  return !text.startsWith("size ");
}
