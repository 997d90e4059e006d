/**
 * Splitting an `ftp>` line into words, the way a shell user expects: quotes group
 * words with spaces, a backslash escapes a space, a quote, a `#` or itself, and an
 * unquoted `#` starting a word begins a comment. Any other backslash is kept, so
 * Windows paths (`C:\Users\me\a.txt`) need no escaping.
 *
 * @module
 */

import { printable } from "../common/text.ts";

/** Characters a backslash escapes outside quotes; inside double quotes, only `"` and `\`. */
const ESCAPABLE = new Set([" ", "\t", '"', "'", "\\", "#"]);

/** One word of a line, with where its text starts (for completion). */
export interface Word {
  text: string;
  /** Index in the line of the word's first character (a quote, if it starts with one). */
  start: number;
}

/** A line split into words; `openQuote` is set when the line ends inside quotes. */
export interface Scanned {
  words: Word[];
  openQuote?: string;
  /** Whether the line ends between words (after a space), so a new word would start. */
  betweenWords: boolean;
  /** Whether the line ends in a comment (where nothing completes). */
  comment: boolean;
}

/** Splits `line` into words without complaint, for completion as the user types. */
export function scan(line: string): Scanned {
  const words: Word[] = [];
  const chars = [...line];
  let word: Word | undefined;
  let quoteChar: string | undefined;
  let comment = false;
  let index = 0;
  const add = (text: string, at: number) => {
    word ??= { text: "", start: at };
    word.text += text;
  };
  for (let i = 0; i < chars.length; index += chars[i].length, i++) {
    const char = chars[i];
    const next = chars[i + 1];
    if (quoteChar) {
      if (char === quoteChar) quoteChar = undefined;
      else if (quoteChar === '"' && char === "\\" && (next === '"' || next === "\\")) {
        add(next, index);
        index += char.length;
        i++;
      } else add(char, index);
    } else if (char === "\\" && next !== undefined && ESCAPABLE.has(next)) {
      add(next, index);
      index += char.length;
      i++;
    } else if (char === '"' || char === "'") {
      quoteChar = char;
      add("", index);
    } else if (char === " " || char === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "#" && word === undefined) {
      comment = true; // To the end of the line.
      break;
    } else {
      add(char, index);
    }
  }
  const betweenWords = word === undefined && quoteChar === undefined;
  if (word !== undefined) words.push(word);
  return { words, openQuote: quoteChar, betweenWords, comment };
}

/** Splits a command line into words; an unterminated quote is a `SyntaxError`. */
export function tokenize(line: string): string[] {
  const { words, openQuote } = scan(line);
  if (openQuote) throw new SyntaxError(`Unterminated ${openQuote} quote in: ${printable(line)}`);
  return words.map((word) => word.text);
}
