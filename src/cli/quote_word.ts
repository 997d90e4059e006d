/**
 * Names as the `ftp>` prompt reads them back: quoted where `tokenize` would split or
 * strip them, so that what `ls` prints (or a hint suggests) can be typed again.
 *
 * @module
 */

import { printable } from "../common/text.ts";

/**
 * `name` as one prompt word, the inverse of `tokenize` for one word: as is if it
 * holds nothing the prompt splits on, strips or escapes (space, tab, quote, backslash,
 * `#`), else in double quotes with backslashes and double quotes escaped (or in
 * single ones, which escape nothing, if it holds a double quote and no single one).
 * Control characters are shown escaped (such a name cannot be typed at all).
 */
export function quoteWord(name: string): string {
  if (name !== "" && !/[\s"'\\#]/.test(name)) return printable(name);
  if (name.includes('"') && !name.includes("'")) return printable(`'${name}'`);
  return printable(`"${name.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`);
}
