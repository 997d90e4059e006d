/**
 * `ferry serve --digest-cache FILE|off`: where the server keeps the digests of the
 * files it serves across restarts (src/server/digest_cache.ts). By default a file of
 * its own per served folder under the state folder (`~/.local/state/ferry/digests/`
 * on Linux), named by the SHA-256 of the folder's real path, so two servers of two
 * folders never share one; `off` keeps it in memory for the run.
 *
 * @module
 */

import { join } from "node:path";
import { createDigest } from "../common/digest.ts";
import { stateDir } from "../common/places.ts";

/** The `parseArgs` option. */
export const DIGEST_CACHE_OPTION = { "digest-cache": { type: "string" } } as const;

/** The file to keep the digest cache in for `root`, or `undefined` for none. */
export async function digestCacheFile(
  value: string | undefined,
  root: string,
): Promise<string | undefined> {
  if (value === "off") return undefined;
  if (value !== undefined) return value;
  const digest = await createDigest("sha256");
  digest.update(new TextEncoder().encode(await Deno.realPath(root).catch(() => root)));
  return join(stateDir(), "digests", `${digest.hex().slice(0, 32)}.json`);
}
