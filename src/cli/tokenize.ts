/**
 * Splitting an `ftp>` line into words.
 *
 * @module
 */

import { printable } from "../common/text.ts";

/**
 * Splits a command line into words. Single or double quotes group words with
 * spaces; backslashes are literal, so Windows paths need no escaping.
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quoteChar: string | undefined;
  for (const char of line) {
    if (quoteChar) {
      if (char === quoteChar) quoteChar = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quoteChar = char;
      word ??= "";
    } else if (char === " " || char === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + char;
    }
  }
  if (quoteChar) throw new SyntaxError(`Unterminated ${quoteChar} quote in: ${printable(line)}`);
  if (word !== undefined) words.push(word);
  return words;
}
