/**
 * `ferry serve`'s secure mode from its flags: the identity (`--identity FILE`, or one
 * made in the config folder) and the tokens (`--token-file`, `--read-token-file`,
 * `FERRY_TOKEN`, `FERRY_READ_TOKEN`, or new random ones, printed once).
 *
 * @module
 */

import type { SecureOptions } from "../server/server.ts";
import { newToken } from "../server/access.ts";
import { loadIdentity } from "../server/identity.ts";
import type { BannerFacts } from "./banner.ts";
import type { CliIo } from "./io.ts";
import { tokenFromFile } from "./secure_setup.ts";

/** The flags this reads. */
export interface ServeSecureFlags {
  identity?: string;
  "token-file"?: string;
  "read-token-file"?: string;
  "read-only": boolean;
}

/** The server's secure options, and what the banner should say of them. */
export async function serveSecure(
  io: CliIo,
  flags: ServeSecureFlags,
): Promise<{ options: SecureOptions; banner: NonNullable<BannerFacts["secure"]> }> {
  const loaded = await loadIdentity(flags.identity);
  const newTokens: { readWrite?: string; readOnly?: string } = {};
  const token = async (
    file: string | undefined,
    variable: string,
    key: "readWrite" | "readOnly",
  ) => {
    if (file !== undefined) return await tokenFromFile(file);
    const fromEnv = io.env(variable)?.trim();
    if (fromEnv) return fromEnv;
    return newTokens[key] = newToken();
  };
  // A read-only server has one token, and it grants reading only.
  const tokens = flags["read-only"]
    ? { readOnly: await token(flags["token-file"], "FERRY_TOKEN", "readOnly") }
    : {
      readWrite: await token(flags["token-file"], "FERRY_TOKEN", "readWrite"),
      readOnly: await token(flags["read-token-file"], "FERRY_READ_TOKEN", "readOnly"),
    };
  return {
    options: { identity: loaded.identity, tokens },
    banner: {
      fingerprint: loaded.identity.fingerprint,
      createdIdentity: loaded.created ? loaded.path : undefined,
      newTokens,
    },
  };
}
