/**
 * The keys a client gives `reput` (PROTOCOL.md §19). A key is derived from a secret
 * only this user holds and from what the upload is (the path on the server, the local
 * file and its size and modification time), so the same upload run again, even by a
 * new process after a crash or to a restarted server, has the same key, and no one
 * else can name it. (Each server keeps its own uploads, so the server is no part of it.)
 *
 * @module
 */

import { join } from "node:path";
import { createDigest } from "../common/digest.ts";
import { checkPrivate, configDir } from "../common/places.ts";

/** Where the CLI keeps the secret: `resume_secret` in ferry's config folder. */
export function resumeSecretPath(): string {
  return join(configDir(), "resume_secret");
}

/** A new secret: 128 random bits, in hex. */
export function newResumeSecret(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Reads the secret at `path`, creating it (readable by this user only) the first time. */
export async function loadResumeSecret(path = resumeSecretPath()): Promise<string> {
  try {
    await checkPrivate(path, "The resume secret");
    const secret = (await Deno.readTextFile(path)).trim();
    if (/^[0-9a-f]{32}$/.test(secret)) return secret;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const secret = newResumeSecret();
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** What one upload is, for its key. */
export interface UploadIdentity {
  /** The path on the server, as sent. */
  remote: string;
  /** The local file's real path, size and modification time. */
  local: string;
  size: number;
  mtime: number | null;
}

/** The key of one upload: 32 hex digits. */
export async function uploadKey(secret: string, upload: UploadIdentity): Promise<string> {
  const digest = await createDigest("sha256");
  const { remote, local, size, mtime } = upload;
  digest.update(
    new TextEncoder().encode(
      ["ferry-reput", secret, remote, local, size, mtime ?? "-"].join("\n"),
    ),
  );
  return digest.hex().slice(0, 32);
}
