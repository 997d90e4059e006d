/**
 * Names that look the same: `café` written precomposed (NFC) and decomposed (NFD),
 * or `K` and the Kelvin sign, are different names to a file system and the same to
 * anyone reading a listing. A new name whose NFC form is that of a name already in
 * the folder is refused, so two such files never stand side by side: every new name
 * (an upload, `replace` of a missing file, `mkdir`, a rename's new name) is checked.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { exists } from "../common/atomic_file.ts";
import { RefusalError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import type { Target } from "./jail.ts";

/**
 * The only non-ASCII code points whose NFC form is ASCII (checked over all of
 * Unicode): an ASCII name can only look like a name made with these.
 */
const ASCII_LOOK_ALIKES: Readonly<Record<string, string>> = {
  ";": "\u037e", // GREEK QUESTION MARK
  "`": "\u1fef", // GREEK VARIA
  K: "\u212a", // KELVIN SIGN
};

/** Past this many such characters, reading the folder is cheaper than trying each variant. */
const MAX_VARIANT_POSITIONS = 8;

const ASCII = /^\p{ASCII}*$/u;

/**
 * A name in `folder` other than `name` whose NFC form is `name`'s, if there is one.
 * An ASCII name is checked by looking up its few possible look-alikes, so a big folder
 * is read only for a name outside ASCII.
 */
export async function lookAlikeOf(folder: string, name: string): Promise<string | undefined> {
  if (ASCII.test(name)) {
    const variants = asciiVariants(name);
    if (variants) {
      for (const variant of variants) if (await exists(join(folder, variant))) return variant;
      return undefined;
    }
  }
  const nfc = name.normalize("NFC");
  for await (const entry of Deno.readDir(folder)) {
    if (entry.name !== name && entry.name.normalize("NFC") === nfc) return entry.name;
  }
  return undefined;
}

/**
 * Refuses a new entry at `path` (in a folder inside the jail) whose name would look
 * the same as one beside it , unless that one is `besides`
 * (what a rename moves).
 */
export async function checkNotLookAlike(
  path: string,
  target: Target,
  { besides }: { besides?: string } = {},
): Promise<void> {
  const twin = await lookAlikeOf(dirname(path), basename(path));
  if (twin === undefined || join(dirname(path), twin) === besides) return;
  throw new RefusalError(
    `${quote(target.shown)} would look the same as ${quote(twin)}, which exists on the server: ` +
      "choose another name",
  );
}

/** Every other name whose NFC form is the ASCII `name`; `undefined` if too many to try. */
function asciiVariants(name: string): string[] | undefined {
  const positions = [...name].flatMap((char, index) => char in ASCII_LOOK_ALIKES ? [index] : []);
  if (positions.length > MAX_VARIANT_POSITIONS) return undefined;
  const variants: string[] = [];
  for (let mask = 1; mask < 2 ** positions.length; mask++) {
    const chars = [...name];
    positions.forEach((position, bit) => {
      if (mask & (1 << bit)) chars[position] = ASCII_LOOK_ALIKES[chars[position]];
    });
    variants.push(chars.join(""));
  }
  return variants;
}
