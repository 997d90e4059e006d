/**
 * Options on `ftp>` command lines (`get -r -f photos`, `ls -l`): each command names
 * the ones it takes; short ones combine (`-rf`), `--` ends them, so a name that
 * starts with `-` can still be given (`rm -- -odd-name`).
 *
 * @module
 */

import { UsageError } from "../common/errors.ts";
import { quote } from "../common/text.ts";

/** A command's options: each option's name, with the spellings that turn it on. */
export type FlagSpec<F extends string> = Record<F, readonly string[]>;

/** The options given, and the words that are not options. */
export interface ParsedArgs<F extends string> {
  flags: Set<F>;
  words: string[];
}

/** Splits `args` into the options `spec` allows and the other words. */
export function parseFlags<F extends string>(
  args: readonly string[],
  { command, flags: spec }: { command: string; flags: FlagSpec<F> },
): ParsedArgs<F> {
  const flags = new Set<F>();
  const words: string[] = [];
  const byWord = new Map<string, F>();
  for (const [flag, spellings] of Object.entries(spec) as [F, readonly string[]][]) {
    for (const spelling of spellings) byWord.set(spelling, flag);
  }
  let ended = false;
  for (const arg of args) {
    if (ended || !arg.startsWith("-") || arg === "-") words.push(arg);
    else if (arg === "--") ended = true;
    else {
      const letters = arg.startsWith("--") ? [arg] : [...arg.slice(1)].map((c) => `-${c}`);
      for (const word of letters) {
        const flag = byWord.get(word);
        if (flag === undefined) {
          const known = [...byWord.keys()].join(", ");
          throw new UsageError(
            `Unknown option ${quote(word)} for ${command}` + (known ? `: expected ${known}` : ""),
          );
        }
        flags.add(flag);
      }
    }
  }
  return { flags, words };
}
