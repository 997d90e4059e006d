/**
 * `--dialect`, shared by `ferry serve` and `ferry connect`: which dialect of the
 * classic protocol to speak with a peer that cannot be recognised from its bytes
 * (PROTOCOL.md §15). The values and their help lines come from the protocol's own
 * table, so a new dialect needs no change here.
 *
 * @module
 */

import { quote } from "../common/text.ts";
import { type Dialect, DIALECTS, isDialectName } from "../protocol/dialects.ts";

/** The `parseArgs` option. */
export const DIALECT_OPTION = { dialect: { type: "string", default: "ferry" } } as const;

/**
 * The dialect named, or a one-sentence complaint: an unknown name, or a dialect
 * other than `ferry` without `--plain` (dialects are the classic protocol; secure
 * mode is ferry-to-ferry TLS, so it has only the one).
 */
export function parseDialectFlag(name: string, plain: boolean): Dialect | string {
  if (!isDialectName(name)) {
    const names = Object.keys(DIALECTS);
    return `Unknown dialect ${quote(name)}: expected ${names.slice(0, -1).join(", ")} or ${
      names.at(-1)
    }`;
  }
  if (name !== "ferry" && !plain) {
    return `--dialect ${name} speaks the classic protocol, in the clear: add --plain ` +
      "(secure mode is ferry-to-ferry TLS and has no dialects)";
  }
  return DIALECTS[name];
}

/** The help lines: the flag, then one line per dialect, its left column `width` wide. */
export function dialectFlagHelp(width: number): string {
  const head = `${"  --dialect D".padEnd(width)} with --plain, how a classic peer talks:\n`;
  return head +
    Object.values(DIALECTS).map((dialect) =>
      `${`      ${dialect.name}`.padEnd(width)} ${dialect.summary}\n`
    ).join("");
}
