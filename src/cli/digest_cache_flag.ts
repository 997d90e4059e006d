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
  // WebCrypto, not the streaming digests: node:crypto would add ~20 ms to every start.
  const folder = new TextEncoder().encode(await Deno.realPath(root).catch(() => root));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", folder));
  const hex = Array.from(hash.subarray(0, 16), (byte) => byte.toString(16).padStart(2, "0"));
  return join(stateDir(), "digests", `${hex.join("")}.json`);
}
