/**
 * Streaming digests of the bytes a transfer moves. WebCrypto can only hash a whole
 * buffer, so SHA-256 comes from `node:crypto`, loaded on first use (it is a fifth of
 * ferry's start-up time).
 *
 * @module
 */

import type { Hash } from "node:crypto";

/** A digest being computed over a stream of chunks. */
export interface Digest {
  update(chunk: Uint8Array): void;
  /** The digest of everything fed in, as lowercase hex; the digest ends there (no more updates). */
  hex(): string;
  /**
   * A digest in the same state, going on separately: what a resumed transfer starts
   * from, and how a prefix's hex is read without ending the digest of the whole.
   */
  copy(): Digest;
}

/** The digest names ferry can compute. */
export type DigestName = "sha256";

/** Starts a digest. */
export async function createDigest(name: DigestName): Promise<Digest> {
  const { createHash } = await import("node:crypto");
  return wrapHash(createHash(name));
}

function wrapHash(hash: Hash): Digest {
  let hex: string | undefined;
  return {
    update: (chunk) => void hash.update(chunk),
    hex: () => hex ??= hash.digest("hex"),
    copy: () => wrapHash(hash.copy()),
  };
}

/** What a transfer that needs no digest (a listing) hashes with: nothing. */
export const NO_DIGEST: Digest = Object.freeze({
  update: () => {},
  hex: () => "",
  copy: () => NO_DIGEST,
});

/** Something to read from, such as a `Deno.FsFile`. */
export interface Readable {
  read(buffer: Uint8Array): Promise<number | null>;
}

/**
 * The SHA-256 (hex) of everything left to read in `file`, read in pieces of at most
 * `chunk` bytes (default 1 MiB), so memory stays flat whatever the size.
 */
export async function digestOf(file: Readable, chunk = 1 << 20): Promise<string> {
  const digest = await createDigest("sha256");
  await feedDigest(file, digest, { chunk });
  return digest.hex();
}

/**
 * Feeds `digest` the next bytes of `file`: at most `limit` of them (default: all that
 * is left), in pieces of at most `chunk` bytes. Returns how many it read, which is
 * less than `limit` only where the file ended first.
 */
export async function feedDigest(
  file: Readable,
  digest: Digest,
  { limit = Infinity, chunk = 1 << 20 }: { limit?: number; chunk?: number } = {},
): Promise<number> {
  const buffer = new Uint8Array(Math.max(1, Math.min(chunk, limit)));
  let fed = 0;
  while (fed < limit) {
    const read = await file.read(buffer.subarray(0, Math.min(buffer.byteLength, limit - fed)));
    if (read === null || read === 0) break;
    digest.update(buffer.subarray(0, read));
    fed += read;
  }
  return fed;
}
