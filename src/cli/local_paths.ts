/**
 * Local paths as typed at the prompt: `~` and `~/…` mean the home folder, as in a
 * shell (`~user` is left alone), and `-` means standard input or output.
 *
 * @module
 */

import { processEnv } from "../common/places.ts";

/** The word that stands for standard input (`put`) or output (`get`). */
export const STANDARD_STREAM = "-";

/** `path` with a leading `~` or `~/` replaced by the home folder, when it is known. */
export function expandHome(path: string, env = processEnv): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = env("HOME") ?? env("USERPROFILE");
  return home === undefined ? path : home + path.slice(1);
}
