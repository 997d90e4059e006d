/**
 * The `ftp>` prompt's history, kept across sessions in the state folder
 * (`~/.local/state/ferry/history`): one line per entry, oldest first, as shells keep
 * theirs, capped so it never grows without end. Private to the user (mode 600): file
 * names can say more than their owner wants others to read.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { type Env, processEnv, stateDir } from "../common/places.ts";
import { describeError } from "../common/text.ts";

/** How many lines are kept. */
export const HISTORY_SIZE = 1000;

/** Where the history lives. */
export function historyPath(env: Env = processEnv): string {
  return join(stateDir(env), "history");
}

/** The lines kept, newest first (as `node:readline` wants them); none if there is no file. */
export async function loadHistory(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return []; // None yet, or unreadable: a fresh history either way.
  }
  return text.split("\n").filter((line) => line.trim() !== "").reverse().slice(0, HISTORY_SIZE);
}

/**
 * Writes `lines` (newest first) to `path`, oldest first, at most {@linkcode HISTORY_SIZE}.
 * Written beside and renamed over, so a crash never leaves half a history. Returns
 * why it could not, if it could not.
 */
export async function saveHistory(path: string, lines: string[]): Promise<string | undefined> {
  const kept = lines.slice(0, HISTORY_SIZE).reverse();
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(temp, kept.map((line) => line + "\n").join(""), { mode: 0o600 });
    await Deno.rename(temp, path);
    return undefined;
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    return describeError(error);
  }
}
