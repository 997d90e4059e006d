/**
 * Names as the `ftp>` prompt reads them back: quoted where `tokenize` would split or
 * strip them, so that what `ls` prints can be typed (or pasted) again.
 *
 * @module
 */

import { printable } from "../common/text.ts";

/**
 * `name` as one prompt word: as is if it has no space, tab or quote, else in double
 * quotes (single ones if it holds a double quote), and a name holding both kinds is
 * written in pieces, `"it's "'"'"ok"'"'`, which the tokenizer joins into one word.
 * Control characters are shown escaped (such a name cannot be typed at all).
 */
export function quoteWord(name: string): string {
  if (name !== "" && !/[ \t"']/.test(name)) return printable(name);
  if (!name.includes('"')) return printable(`"${name}"`);
  if (!name.includes("'")) return printable(`'${name}'`);
  return printable(name.split('"').map((piece) => piece === "" ? "" : `"${piece}"`).join(`'"'`));
}
